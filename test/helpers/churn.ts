/**
 * A writer process for the concurrency and crash tests: opens the registry given in argv and pushes
 * (and optionally promotes) in a loop through the real core, the way several CLIs or CI jobs would.
 *   node churn.js <registryDir> <model> <writerId> <count|forever> [--promote]
 * Each pushed file is distinct and tagged writer/index, so the test can check every artifact.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildMlp } from '../builders/mlpBuilder';
import { EmbeddedRegistry } from '../../src/core/registry/embedded/embeddedRegistry';

async function main(): Promise<void> {
  const [dir, model, writer, countArg] = process.argv.slice(2);
  const promote = process.argv.includes('--promote');
  const count = countArg === 'forever' ? Infinity : Number(countArg);
  const reg = await EmbeddedRegistry.open(dir, { create: true, lockTimeoutMs: 60_000 });
  const file = path.join(os.tmpdir(), `churn-${process.pid}.onnx`);
  for (let i = 0; i < count; i++) {
    writeFileSync(file, buildMlp({ inputDim: 8, hidden: [16], outputDim: 2, seed: Number(writer) * 100_000 + i + 1 }));
    const v = await reg.pushVersion(
      { filePath: file, model, tags: { writer, index: String(i) } },
      { actor: `writer-${writer}` },
    );
    if (promote) await reg.promote(model, i % 2 ? 'production' : 'staging', v.version, { actor: `writer-${writer}` });
    process.stdout.write(`${v.version}\n`);
  }
  await reg.close();
}

void main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
