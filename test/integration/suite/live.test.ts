import assert from 'node:assert/strict';
import { mlops } from '../helpers/cli';
import { api, models, setSetting, versions, waitForTree } from '../helpers/ext';
import { writeModel } from '../helpers/fixtures';

describe('live updates', () => {
  it('shows mlops push / promote / rollback from a terminal within a second', async () => {
    const a = await api();
    const timed = async (what: string, args: string[], seen: () => Promise<boolean>) => {
      await mlops(args);
      const t0 = Date.now();
      await waitForTree(what, seen, 3000);
      const ms = Date.now() - t0;
      console.log(`      ${what}: in the tree ${ms} ms after the CLI exited`);
      assert.ok(ms < 1000, `${what} took ${ms} ms to show`);
    };
    const holder = async (alias: string) =>
      (await versions(a, 'churn')).find((v) => v.data.aliases.includes(alias))?.version;
    await timed('push', ['push', writeModel('churn-v4', 4), '--model', 'churn', '--metric', 'auc=0.95'], async () =>
      (await versions(a, 'churn')).some((v) => v.version === 4),
    );
    await timed(
      'promote',
      ['promote', 'churn', '4', '--alias', 'production', '--reason', 'from the terminal'],
      async () => (await holder('production')) === 4,
    );
    await timed(
      'rollback',
      ['rollback', 'churn', '--alias', 'production'],
      async () => (await holder('production')) === 1,
    );
  });

  it('re-opens the registry when mlops.registry.uri changes, without a reload', async () => {
    const a = await api();
    await mlops(['push', writeModel('other', 31), '--model', 'elsewhere', '--registry', 'registries/other']);
    await setSetting('registry.uri', 'registries/other');
    try {
      await waitForTree(
        'only the other registry',
        async () => (await models(a)).map((m) => m.name).join() === 'elsewhere',
      );
    } finally {
      await setSetting('registry.uri', undefined);
    }
    await waitForTree('the workspace registry again', async () => (await models(a)).some((m) => m.name === 'churn'));
  });
});
