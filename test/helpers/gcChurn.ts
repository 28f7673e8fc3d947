/**
 * A process for the gc race test: through the real core, either pushes the same two models over and
 * over and deletes each version again (leaving orphans that are soon needed again), or runs gc
 * with no grace period in a loop (so only the lock protects a push, not the age of its file).
 *   node gcChurn.js <registryDir> push <writerId> <count>
 *   node gcChurn.js <registryDir> gc <stopFile>     (until that file exists)
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildMlp } from '../builders/mlpBuilder';
import { EmbeddedRegistry } from '../../src/core/registry/embedded/embeddedRegistry';

async function main(): Promise<void> {
  const [dir, mode, a, b] = process.argv.slice(2);
  const reg = await EmbeddedRegistry.open(dir, { create: true, lockTimeoutMs: 60_000 });
  if (mode === 'gc') {
    let removed = 0;
    while (!existsSync(a)) removed += (await reg.collectGarbage({ graceMs: 0 })).removed.length;
    process.stdout.write(`${removed}\n`);
  } else {
    const files = [1, 2].map((k) => {
      const f = path.join(os.tmpdir(), `gc-churn-${process.pid}-${k}.onnx`);
      writeFileSync(f, buildMlp({ inputDim: 4, hidden: [8], outputDim: 2, seed: Number(a) * 10 + k }));
      return f;
    });
    const count = Number(b);
    for (let i = 0; i < count; i++) {
      const v = await reg.pushVersion({ filePath: files[i % 2], model: `m${a}` }, { actor: `writer-${a}` });
      // Once its row is committed the version's file must be there (gc never takes a referenced one).
      await reg.localArtifactPath(v.model, v.version);
      // Deleted at once, so its file is an orphan until the same bytes are pushed again two steps on;
      // the last two versions stay, and their files must be there at the end.
      if (i < count - 2) await reg.deleteVersion(v.model, v.version, { actor: `writer-${a}` });
    }
    for (const f of files) rmSync(f, { force: true });
  }
  await reg.close();
}

void main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
