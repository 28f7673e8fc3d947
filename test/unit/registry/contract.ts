import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMlopsError, type ErrorCode } from '../../../src/core/errors';
import type { Registry } from '../../../src/core/registry/registry';
import { resolveModelRef } from '../../../src/core/registry/resolve';
import type { ActionContext } from '../../../src/core/registry/types';
import { tempDir, writeModel } from '../../helpers/tmp';

/**
 * The behaviour every Registry backend must have. Run against the embedded registry and the MLflow
 * backend so the two cannot drift apart (issue 4). `make` returns a fresh, empty registry.
 */
export interface ContractTarget {
  registry: Registry;
  cleanup(): Promise<void>;
}

const ctx: ActionContext = { actor: 'alice', reason: 'contract test' };

export async function rejectsWith(p: Promise<unknown>, code: ErrorCode, pattern?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isMlopsError(e), `expected an MlopsError, got ${String(e)}`);
    assert.equal(e.code, code, `wrong code for: ${e.message}`);
    if (pattern) assert.match(e.describe(), pattern);
    assert.ok(e.message.length > 10, 'the message must say what is wrong');
    return true;
  });
}

export function registryContract(backend: string, make: () => Promise<ContractTarget>): void {
  describe(`Registry contract: ${backend}`, function () {
    this.timeout(30_000);
    let t: ContractTarget;
    let reg: Registry;
    let files: { dir: string; cleanup: () => void };
    let small: string;
    let other: string;

    beforeEach(async () => {
      t = await make();
      reg = t.registry;
      files = tempDir('mlops-contract-');
      small = writeModel(files.dir, 'small.onnx', { seed: 1 });
      other = writeModel(files.dir, 'other.onnx', { seed: 2, hidden: [16] });
    });
    afterEach(async () => {
      await t.cleanup();
      files.cleanup();
    });

    const push = (model = 'churn', extra: Partial<Parameters<Registry['pushVersion']>[0]> = {}) =>
      reg.pushVersion({ filePath: small, model, ...extra }, ctx);

    it('pushes a version with its metadata, signature and sha256', async () => {
      const v = await reg.pushVersion(
        {
          filePath: small,
          model: 'churn',
          metrics: { auc: 0.94, f1: 0.81 },
          params: { lr: '0.01' },
          tags: { team: 'risk' },
          description: 'first',
          runId: 'run-1',
        },
        ctx,
      );
      assert.equal(v.model, 'churn');
      assert.equal(v.version, 1);
      assert.equal(v.status, 'active');
      assert.deepEqual(v.metrics, { auc: 0.94, f1: 0.81 });
      assert.deepEqual(v.params, { lr: '0.01' });
      assert.equal(v.tags.team, 'risk');
      assert.equal(v.description, 'first');
      assert.equal(v.runId, 'run-1');
      assert.equal(v.createdBy, 'alice');
      assert.equal(v.artifact.size, readFileSync(small).length);
      assert.match(v.artifact.sha256 ?? '', /^[0-9a-f]{64}$/);
      assert.deepEqual(v.signature?.inputs, [{ name: 'input', elemType: 'float32', shape: ['batch', 4] }]);
      assert.deepEqual(v.signature?.outputs, [{ name: 'output', elemType: 'float32', shape: ['batch', 3] }]);
      assert.equal(v.onnx?.paramCount, 4 * 8 + 8 + 8 * 3 + 3);
      const m = await reg.getModel('churn');
      assert.equal(m.latestVersion, 1);
    });

    it('numbers versions 1, 2, 3 and never reuses a deleted number', async () => {
      assert.equal((await push()).version, 1);
      assert.equal((await push()).version, 2);
      await reg.deleteVersion('churn', 2, ctx);
      assert.equal((await push()).version, 3);
      const list = await reg.listVersions('churn');
      assert.deepEqual(
        list.items.map((v) => v.version),
        [3, 1],
      );
    });

    it('lists versions newest first, page by page', async () => {
      for (let i = 0; i < 5; i++) await push();
      const seen: number[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await reg.listVersions('churn', { maxResults: 2, pageToken: token });
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((v) => v.version));
        token = page.nextPageToken;
        pages++;
      } while (token);
      assert.deepEqual(seen, [5, 4, 3, 2, 1]);
      assert.equal(pages, 3);
    });

    it('lists models page by page with their aliases', async () => {
      for (const name of ['a-model', 'b-model', 'c-model']) await push(name);
      await reg.promote('b-model', 'production', 1, ctx);
      const first = await reg.listModels({ maxResults: 2 });
      assert.equal(first.items.length, 2);
      assert.ok(first.nextPageToken);
      const second = await reg.listModels({ maxResults: 2, pageToken: first.nextPageToken });
      const all = [...first.items, ...second.items];
      assert.deepEqual(all.map((m) => m.name).sort(), ['a-model', 'b-model', 'c-model']);
      assert.deepEqual(all.find((m) => m.name === 'b-model')?.aliases, { production: 1 });
      assert.equal(second.nextPageToken, undefined);
    });

    it('promotes: moves the alias and records from/to, actor and reason', async () => {
      await push();
      await push();
      const e1 = await reg.promote('churn', 'production', 1, ctx);
      assert.equal(e1?.fromVersion, null);
      assert.equal(e1?.toVersion, 1);
      const e2 = await reg.promote('churn', 'production', 2, { actor: 'bob', reason: 'better auc' });
      assert.equal(e2?.fromVersion, 1);
      assert.equal(e2?.toVersion, 2);
      assert.equal(e2?.actor, 'bob');
      assert.equal(e2?.reason, 'better auc');
      assert.equal((await reg.getVersionByAlias('churn', 'production')).version, 2);
      assert.deepEqual((await reg.getVersion('churn', 1)).aliases, []);
      assert.deepEqual((await reg.getVersion('churn', 2)).aliases, ['production']);
      assert.equal(
        await reg.promote('churn', 'production', 2, ctx),
        null,
        'a promotion to the current holder is a no-op',
      );
      const hist = await reg.history('churn', { alias: 'production' });
      assert.deepEqual(
        hist.map((e) => [e.action, e.fromVersion, e.toVersion]),
        [
          ['promote', null, 1],
          ['promote', 1, 2],
        ],
      );
    });

    it('keeps one version per alias and several aliases per version', async () => {
      await push();
      await push();
      await reg.promote('churn', 'staging', 2, ctx);
      await reg.promote('churn', 'production', 2, ctx);
      await reg.promote('churn', 'staging', 1, ctx);
      assert.deepEqual((await reg.getModel('churn')).aliases, { production: 2, staging: 1 });
      assert.deepEqual((await reg.getVersion('churn', 2)).aliases, ['production']);
    });

    it('rolls back through the alias history, further back each time, then says there is nothing left', async () => {
      for (let i = 0; i < 3; i++) await push();
      for (const v of [1, 2, 3]) await reg.promote('churn', 'production', v, ctx);
      const r1 = await reg.rollback('churn', 'production', { actor: 'carol', reason: 'p99 regression' });
      assert.deepEqual(
        [r1.action, r1.fromVersion, r1.toVersion, r1.actor, r1.reason],
        ['rollback', 3, 2, 'carol', 'p99 regression'],
      );
      const r2 = await reg.rollback('churn', 'production', ctx);
      assert.deepEqual([r2.fromVersion, r2.toVersion], [2, 1]);
      assert.equal((await reg.getVersionByAlias('churn', 'production')).version, 1);
      await rejectsWith(reg.rollback('churn', 'production', ctx), 'INVALID_STATE', /no earlier holder/);
      assert.equal(
        (await reg.getVersionByAlias('churn', 'production')).version,
        1,
        'a failed rollback changes nothing',
      );
    });

    it('rolls back to the holder before a new promotion after a rollback', async () => {
      for (let i = 0; i < 4; i++) await push();
      await reg.promote('churn', 'production', 1, ctx);
      await reg.promote('churn', 'production', 2, ctx);
      await reg.rollback('churn', 'production', ctx); // -> 1
      await reg.promote('churn', 'production', 4, ctx);
      const r = await reg.rollback('churn', 'production', ctx);
      assert.deepEqual([r.fromVersion, r.toVersion], [4, 1]);
    });

    it('skips earlier holders that were archived or deleted since', async () => {
      for (let i = 0; i < 3; i++) await push();
      for (const v of [1, 2, 3]) await reg.promote('churn', 'production', v, ctx);
      await reg.setVersionStatus('churn', 2, 'archived', ctx);
      const r = await reg.rollback('churn', 'production', ctx);
      assert.equal(r.toVersion, 1);
    });

    it('refuses rollback of an alias that was never set', async () => {
      await push();
      await rejectsWith(reg.rollback('churn', 'production', ctx), 'INVALID_STATE', /not set/);
    });

    it('refuses an alias for an archived version, and archiving a version that holds one', async () => {
      await push();
      await push();
      await reg.promote('churn', 'production', 1, ctx);
      await rejectsWith(reg.setVersionStatus('churn', 1, 'archived', ctx), 'INVALID_STATE', /holds @production/);
      const e = await reg.setVersionStatus('churn', 2, 'archived', ctx);
      assert.equal(e.action, 'archive');
      await rejectsWith(reg.promote('churn', 'staging', 2, ctx), 'INVALID_STATE', /archived/);
      assert.deepEqual(
        (await reg.listVersions('churn')).items.map((v) => v.version),
        [1],
      );
      assert.deepEqual(
        (await reg.listVersions('churn', { includeArchived: true })).items.map((v) => [v.version, v.status]),
        [
          [2, 'archived'],
          [1, 'active'],
        ],
      );
      await reg.setVersionStatus('churn', 2, 'active', ctx);
      assert.ok(await reg.promote('churn', 'staging', 2, ctx));
    });

    it('deletes a version after removing its aliases, recording both', async () => {
      await push();
      await push();
      await reg.promote('churn', 'production', 2, ctx);
      await reg.deleteVersion('churn', 2, ctx);
      await rejectsWith(reg.getVersion('churn', 2), 'NOT_FOUND', /no version 2/);
      await rejectsWith(reg.getVersionByAlias('churn', 'production'), 'NOT_FOUND', /no alias "production"/);
      assert.deepEqual((await reg.getModel('churn')).aliases, {});
      const hist = await reg.history('churn');
      const tail = hist.slice(-2).map((e) => [e.action, e.alias, e.fromVersion, e.version]);
      assert.deepEqual(tail, [
        ['remove-alias', 'production', 2, null],
        ['delete-version', null, null, 2],
      ]);
    });

    it('deletes a whole model', async () => {
      await push();
      await reg.deleteModel('churn', ctx);
      await rejectsWith(reg.getModel('churn'), 'NOT_FOUND', /no model named "churn"/);
      assert.deepEqual((await reg.listModels()).items, []);
    });

    it('records a push with --alias as a creation and a promotion', async () => {
      await push();
      const v = await push('churn', { alias: 'staging' });
      assert.deepEqual(v.aliases, ['staging']);
      const hist = await reg.history('churn');
      assert.deepEqual(
        hist.map((e) => e.action),
        ['create-version', 'create-version', 'promote'],
      );
    });

    it('links a version to its parent, and refuses an unknown parent without registering anything', async () => {
      await push();
      const child = await push('churn', { parentVersion: 1 });
      assert.equal(child.parentVersion, 1);
      await rejectsWith(push('churn', { parentVersion: 9 }), 'NOT_FOUND', /no version 9/);
      assert.equal((await reg.listVersions('churn')).items.length, 2);
      assert.equal((await push()).version, 3, 'the failed push used no version number');
    });

    it('resolves models:/ URIs', async () => {
      await push();
      await push();
      await reg.promote('churn', 'champion', 1, ctx);
      assert.equal((await resolveModelRef(reg, 'models:/churn/2')).version, 2);
      assert.equal((await resolveModelRef(reg, 'models:/churn@champion')).version, 1);
      assert.equal((await resolveModelRef(reg, 'models:/churn/latest')).version, 2);
    });

    it('pulls the exact bytes that were pushed', async () => {
      await reg.pushVersion({ filePath: other, model: 'churn' }, ctx);
      const dest = path.join(files.dir, 'pulled.onnx');
      await reg.pullArtifact('churn', 1, dest);
      assert.deepEqual(readFileSync(dest), readFileSync(other));
      const local = await reg.localArtifactPath('churn', 1);
      assert.deepEqual(readFileSync(local), readFileSync(other));
    });

    it('updates descriptions and tags of models and versions', async () => {
      await push();
      const m = await reg.updateModel('churn', { description: 'churn model', tags: { owner: 'risk' } });
      assert.equal(m.description, 'churn model');
      assert.equal(m.tags.owner, 'risk');
      const v = await reg.updateVersion('churn', 1, {
        description: 'retrained',
        tags: { reference_data: 'data/ref.csv' },
      });
      assert.equal(v.description, 'retrained');
      assert.equal(v.tags.reference_data, 'data/ref.csv');
      const v2 = await reg.updateVersion('churn', 1, { tags: { reference_data: null } });
      assert.equal(v2.tags.reference_data, undefined);
    });

    it('pages through many models and versions without gaps or repeats, skipping archived versions', async () => {
      const names = ['m-01', 'm-02', 'm-03', 'm-04', 'm-05', 'm-06', 'm-07'];
      for (const n of names) await reg.createModel(n);
      for (let i = 0; i < 12; i++) await push();
      for (const v of [3, 6, 9, 12]) await reg.setVersionStatus('churn', v, 'archived', ctx);
      const models: string[] = [];
      let token: string | undefined;
      do {
        const page = await reg.listModels({ maxResults: 3, pageToken: token });
        assert.ok(page.items.length <= 3);
        models.push(...page.items.map((m) => m.name));
        token = page.nextPageToken;
      } while (token);
      assert.deepEqual([...models].sort(), ['churn', ...names].sort());
      assert.equal(new Set(models).size, models.length, 'no model listed twice');
      const walk = async (includeArchived: boolean, maxResults: number) => {
        const seen: number[] = [];
        let t: string | undefined;
        do {
          const page = await reg.listVersions('churn', { maxResults, pageToken: t, includeArchived });
          assert.ok(page.items.length <= maxResults);
          seen.push(...page.items.map((v) => v.version));
          t = page.nextPageToken;
        } while (t);
        return seen;
      };
      assert.deepEqual(await walk(false, 3), [11, 10, 8, 7, 5, 4, 2, 1]);
      assert.deepEqual(await walk(true, 5), [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    });

    it('removes an alias, recording it; rolling it back then says it is not set', async () => {
      await push();
      await reg.promote('churn', 'production', 1, ctx);
      const e = await reg.removeAlias('churn', 'production', ctx);
      assert.deepEqual([e.action, e.alias, e.fromVersion, e.toVersion], ['remove-alias', 'production', 1, null]);
      assert.deepEqual((await reg.getModel('churn')).aliases, {});
      await rejectsWith(reg.removeAlias('churn', 'production', ctx), 'NOT_FOUND', /no alias "production"/);
      await rejectsWith(reg.rollback('churn', 'production', ctx), 'INVALID_STATE', /not set/);
    });

    it('refuses to archive an archived version or restore an active one', async () => {
      await push();
      await rejectsWith(reg.setVersionStatus('churn', 1, 'active', ctx), 'INVALID_STATE', /already active/);
      await reg.setVersionStatus('churn', 1, 'archived', ctx);
      await rejectsWith(reg.setVersionStatus('churn', 1, 'archived', ctx), 'INVALID_STATE', /already archived/);
      assert.deepEqual(
        (await reg.history('churn')).map((e) => e.action),
        ['create-version', 'archive'],
      );
    });

    it("moves a model's updatedAt when a version is pushed or deleted or its description changes, not on alias or status changes", async () => {
      const tick = () => new Promise((r) => setTimeout(r, 5)); // the clock must move for "later" to show
      await push();
      await tick();
      await push();
      const t0 = (await reg.getModel('churn')).updatedAt;
      await tick();
      await reg.promote('churn', 'production', 1, ctx);
      await reg.promote('churn', 'production', 2, ctx);
      await reg.rollback('churn', 'production', ctx);
      await reg.promote('churn', 'staging', 2, ctx);
      await reg.removeAlias('churn', 'staging', ctx);
      await reg.setVersionStatus('churn', 2, 'archived', ctx);
      await reg.setVersionStatus('churn', 2, 'active', ctx);
      assert.equal((await reg.getModel('churn')).updatedAt, t0, 'alias moves and archive/restore leave it');
      await push();
      const t1 = (await reg.getModel('churn')).updatedAt;
      assert.ok(t1 > t0, 'a new version moves it');
      await tick();
      await reg.deleteVersion('churn', 3, ctx);
      const t2 = (await reg.getModel('churn')).updatedAt;
      assert.ok(t2 > t1, 'a deleted version moves it');
      await tick();
      await reg.updateModel('churn', { description: 'churn model' });
      assert.ok((await reg.getModel('churn')).updatedAt > t2, 'a new description moves it');
    });

    it('a retried push with the same file and idempotency key returns the version it registered', async () => {
      const first = await push('churn', { idempotencyKey: 'ci-run-42', alias: 'staging' });
      const again = await push('churn', { idempotencyKey: 'ci-run-42', alias: 'staging' });
      assert.deepEqual(
        [again.version, again.createdAt, again.artifact.sha256, again.aliases],
        [1, first.createdAt, first.artifact.sha256, ['staging']],
      );
      assert.equal((await reg.listVersions('churn')).items.length, 1, 'no duplicate');
      assert.deepEqual(
        (await reg.history('churn')).map((e) => e.action),
        ['create-version', 'promote'],
        'the retry records nothing',
      );
      // Another key, another file, no key, or another model: a new version each time.
      assert.equal((await push('churn', { idempotencyKey: 'ci-run-43' })).version, 2);
      assert.equal(
        (await reg.pushVersion({ filePath: other, model: 'churn', idempotencyKey: 'ci-run-42' }, ctx)).version,
        3,
      );
      assert.equal((await push('churn')).version, 4);
      assert.equal((await push('churn')).version, 5);
      assert.equal((await push('fraud', { idempotencyKey: 'ci-run-42' })).version, 1);
      // Later alias moves by others are left alone by a late retry.
      await reg.promote('churn', 'staging', 2, ctx);
      assert.equal((await push('churn', { idempotencyKey: 'ci-run-42', alias: 'staging' })).version, 1);
      assert.equal((await reg.getVersionByAlias('churn', 'staging')).version, 2);
    });

    it('refuses an empty or oversized idempotency key and registers nothing', async () => {
      for (const key of ['', '   ', 'x'.repeat(201), 'a\nb'])
        await rejectsWith(push('churn', { idempotencyKey: key }), 'INVALID_ARGUMENT', /idempotency key/);
      assert.deepEqual((await reg.listModels()).items, []);
    });

    it('creates a model explicitly, and refuses an existing name', async () => {
      const m = await reg.createModel('fraud', { description: 'card fraud', tags: { team: 'risk' } });
      assert.deepEqual(
        [m.name, m.description, m.tags.team, m.latestVersion, m.aliases],
        ['fraud', 'card fraud', 'risk', null, {}],
      );
      await rejectsWith(reg.createModel('fraud'), 'ALREADY_EXISTS', /"fraud" already exists/);
    });

    describe('bad input', () => {
      it('rejects invalid and reserved alias names', async () => {
        await push();
        for (const alias of ['latest', 'LATEST', 'v3', 'V12', 'has space', 'a/b', '', 'x'.repeat(256)]) {
          await rejectsWith(reg.promote('churn', alias, 1, ctx), 'INVALID_ARGUMENT');
        }
        assert.deepEqual((await reg.getModel('churn')).aliases, {});
      });

      it('rejects model names neither backend accepts (empty, padded, control characters)', async () => {
        for (const name of ['', '  ', ' padded', 'a\u0000b']) {
          await rejectsWith(reg.pushVersion({ filePath: small, model: name }, ctx), 'INVALID_ARGUMENT');
        }
        assert.deepEqual((await reg.listModels()).items, []);
      });

      it('says which model, version or alias is unknown', async () => {
        await push();
        await rejectsWith(reg.getModel('nope'), 'NOT_FOUND', /"nope"/);
        await rejectsWith(reg.getVersion('churn', 7), 'NOT_FOUND', /no version 7/);
        await rejectsWith(reg.getVersionByAlias('churn', 'production'), 'NOT_FOUND', /no alias "production"/);
        await rejectsWith(reg.promote('churn', 'production', 7, ctx), 'NOT_FOUND', /no version 7/);
        await rejectsWith(reg.promote('nope', 'production', 1, ctx), 'NOT_FOUND', /"nope"/);
        await rejectsWith(reg.rollback('nope', 'production', ctx), 'NOT_FOUND');
        await rejectsWith(reg.history('nope'), 'NOT_FOUND');
      });

      it('rejects a file that is not an ONNX model and registers nothing', async () => {
        const bad = path.join(files.dir, 'bad.onnx');
        writeFileSync(bad, 'definitely not a protobuf model');
        await rejectsWith(reg.pushVersion({ filePath: bad, model: 'churn' }, ctx), 'INVALID_MODEL_FILE', /bad\.onnx/);
        await rejectsWith(
          reg.pushVersion({ filePath: path.join(files.dir, 'missing.onnx'), model: 'churn' }, ctx),
          'NOT_FOUND',
          /missing\.onnx/,
        );
        assert.deepEqual((await reg.listModels()).items, []);
      });

      it('rejects a non-finite metric', async () => {
        await rejectsWith(push('churn', { metrics: { auc: Number.NaN } }), 'INVALID_ARGUMENT', /auc/);
        assert.deepEqual((await reg.listModels()).items, []);
      });

      it('rejects a malformed page token', async () => {
        await push();
        await rejectsWith(reg.listVersions('churn', { pageToken: '%%%' }), 'INVALID_ARGUMENT', /page token/);
      });
    });
  });
}
