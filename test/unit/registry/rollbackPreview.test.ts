import assert from 'node:assert/strict';
import path from 'node:path';
import { isMlopsError } from '../../../src/core/errors';
import { EmbeddedRegistry } from '../../../src/core/registry/embedded/embeddedRegistry';
import { MlflowRegistry } from '../../../src/core/registry/mlflow/mlflowRegistry';
import type { Registry } from '../../../src/core/registry/registry';
import { planRollback, readRollbackState, rollbackMoves } from '../../../src/core/registry/rollback';
import type { ActionContext, AuditEvent } from '../../../src/core/registry/types';
import { rollbackAliases } from '../../../src/extension/tree/rollbackFlags';
import { tempDir, writeModel } from '../../helpers/tmp';
import { startMlflowDouble } from '../../mlflowDouble/mlflowServerDouble';

/**
 * Roll Back is decided in one place (issue 8, point 5): what the picker previews and what the tree's
 * menu offers must be what the registry then does, on both backends — also when the previous holder
 * was archived since, and when the model was deleted and re-created under the same name.
 */
const ctx: ActionContext = { actor: 'alice' };

interface Target {
  registry: Registry;
  cleanup(): Promise<void>;
}

const backends: Record<string, () => Promise<Target>> = {
  embedded: async () => {
    const t = tempDir('mlops-rollback-');
    const registry = await EmbeddedRegistry.open(path.join(t.dir, '.mlops'), { create: true });
    return {
      registry,
      cleanup: async () => {
        await registry.close();
        t.cleanup();
      },
    };
  },
  'mlflow (test double)': async () => {
    const server = await startMlflowDouble();
    const cache = tempDir('mlops-rollback-cache-');
    const registry = await MlflowRegistry.open(server.url, {
      env: {},
      cacheDir: cache.dir,
      timeoutMs: 5_000,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    });
    return {
      registry,
      cleanup: async () => {
        await registry.close();
        await server.close();
        cache.cleanup();
      },
    };
  },
};

for (const [name, make] of Object.entries(backends)) {
  describe(`Roll Back preview agrees with the result: ${name}`, function () {
    this.timeout(30_000);
    let t: Target;
    let reg: Registry;
    let files: { dir: string; cleanup: () => void };
    let model: string;

    beforeEach(async () => {
      t = await make();
      reg = t.registry;
      files = tempDir('mlops-rollback-files-');
      model = writeModel(files.dir, 'm.onnx', { seed: 1 });
    });
    afterEach(async () => {
      await t.cleanup();
      files.cleanup();
    });

    const push = async (n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await reg.pushVersion({ filePath: model, model: 'churn' }, ctx)).version);
      return out;
    };

    /** What the picker shows (core rule on the state read through the Registry interface). */
    const preview = async () => rollbackMoves(await readRollbackState(reg, 'churn'));

    /** What the tree offers on the holder's row, from the rows it lists (archived ones hidden) + history. */
    const treeFlags = async (version: number) => {
      const listed = (await reg.listVersions('churn')).items;
      const v = await reg.getVersion('churn', version);
      return rollbackAliases(await reg.history('churn'), v, listed);
    };

    /** Rolls back and checks that the preview named exactly that move; returns it. */
    const rollbackAsPreviewed = async (): Promise<AuditEvent> => {
      const before = await preview();
      const e = await reg.rollback('churn', 'production', ctx);
      assert.deepEqual(before, [{ alias: 'production', from: e.fromVersion, to: e.toVersion }]);
      return e;
    };

    it('skips a previous holder archived since, in the preview, the menu and the result alike', async () => {
      const [v1, v2, v3] = await push(3);
      for (const v of [v1, v2, v3]) await reg.promote('churn', 'production', v, ctx);
      await reg.setVersionStatus('churn', v2, 'archived', ctx);

      assert.deepEqual(await treeFlags(v3), ['production']);
      const e = await rollbackAsPreviewed();
      assert.equal(e.toVersion, v1, 'the archived v2 is skipped');

      // Now v1 holds it and nothing earlier is available: no preview, no menu item, and a refusal.
      assert.deepEqual(await preview(), []);
      assert.deepEqual(await treeFlags(v1), []);
      await assert.rejects(reg.rollback('churn', 'production', ctx), (x: unknown) => isMlopsError(x, 'INVALID_STATE'));
    });

    it('offers nothing when the only earlier holder is archived', async () => {
      const [v1, v2] = await push(2);
      await reg.promote('churn', 'production', v1, ctx);
      await reg.promote('churn', 'production', v2, ctx);
      await reg.setVersionStatus('churn', v1, 'archived', ctx);
      assert.deepEqual(await preview(), []);
      assert.deepEqual(await treeFlags(v2), []);
      await assert.rejects(reg.rollback('churn', 'production', ctx), (x: unknown) => isMlopsError(x, 'INVALID_STATE'));
    });

    it('does not reach into the history of a model deleted and re-created under the same name', async () => {
      const [o1, o2] = await push(2);
      await reg.promote('churn', 'production', o1, ctx);
      await reg.promote('churn', 'production', o2, ctx);
      await reg.deleteModel('churn', ctx);

      const [n1, n2] = await push(2);
      await reg.promote('churn', 'production', n1, ctx);
      await reg.promote('churn', 'production', n2, ctx);
      assert.deepEqual(await treeFlags(n2), ['production']);
      const e = await rollbackAsPreviewed();
      assert.equal(e.toVersion, n1);

      // The new incarnation has no holder before n1: the old one's must not show through.
      assert.deepEqual(await preview(), []);
      assert.deepEqual(await treeFlags(n1), []);
      await assert.rejects(reg.rollback('churn', 'production', ctx), (x: unknown) => isMlopsError(x, 'INVALID_STATE'));
    });

    it('walks back through repeated rollbacks exactly as previewed', async () => {
      const vs = await push(4);
      for (const v of vs) await reg.promote('churn', 'production', v, ctx);
      for (const expected of [vs[2], vs[1], vs[0]]) assert.equal((await rollbackAsPreviewed()).toVersion, expected);
      assert.deepEqual(await preview(), []);
    });
  });
}

describe('planRollback', () => {
  const ev = (id: number, e: Partial<AuditEvent>): AuditEvent => ({
    id,
    time: id,
    actor: 'a',
    model: 'm',
    action: 'promote',
    alias: null,
    fromVersion: null,
    toVersion: null,
    version: null,
    reason: null,
    ...e,
  });

  it('trusts the live status over the history when the caller knows it', () => {
    const history = [
      ev(1, { alias: 'production', toVersion: 1 }),
      ev(2, { alias: 'production', fromVersion: 1, toVersion: 2 }),
    ];
    const state = { model: 'm', aliases: { production: 2 }, history };
    assert.equal(planRollback(state, 'production').to, 1);
    // Archived by another client, with no event in our history: the live status decides.
    assert.throws(
      () => planRollback({ ...state, statusOf: (v) => (v === 1 ? 'archived' : 'active') }, 'production'),
      (e: unknown) => isMlopsError(e, 'INVALID_STATE'),
    );
  });

  it('refuses an alias that is not set, and lists only the aliases a version holds', () => {
    const state = { model: 'm', aliases: { staging: 1 }, history: [] };
    assert.throws(() => planRollback(state, 'production'), /not set/);
    assert.deepEqual(rollbackMoves(state, 1), []);
  });
});
