import assert from 'node:assert/strict';
import { statusBarAlias, statusBarModel } from '../../../src/extension/statusBarChoice';

describe('status bar: which model and alias it follows by default', () => {
  it('follows the setting, else the model last used, else the only model, else none', () => {
    const base = { setting: '', lastUsed: undefined, models: [] as string[], more: false };
    assert.equal(statusBarModel({ ...base, setting: 'fraud', lastUsed: 'churn', models: ['churn'] }), 'fraud');
    assert.equal(statusBarModel({ ...base, lastUsed: 'churn', models: ['a', 'b'], more: true }), 'churn');
    assert.equal(statusBarModel({ ...base, models: ['churn'] }), 'churn');
    assert.equal(statusBarModel({ ...base, models: ['a', 'b'] }), undefined, 'two models: no guess');
    assert.equal(statusBarModel({ ...base, models: ['a'], more: true }), undefined, 'more on the next page');
    assert.equal(statusBarModel(base), undefined);
  });

  it('names production first, else the first configured alias the model has', () => {
    assert.equal(statusBarAlias({ staging: 2, production: 1 }, ['staging', 'production']), 'production');
    assert.equal(statusBarAlias({ champion: 3, staging: 2 }, ['champion', 'staging']), 'champion');
    assert.equal(statusBarAlias({ other: 1 }, ['staging']), undefined);
  });
});
