import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultSettings } from '../../../src/core/drift/config';
import { projectDriftSettings } from '../../../src/core/drift/configFile';
import { isMlopsError } from '../../../src/core/errors';
import { tempDir } from '../../helpers/tmp';

/** The drift panel reads the project's mlops.yaml: what it takes, and what it refuses. */
describe('project drift settings (mlops.yaml)', () => {
  let t: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    t = tempDir('mlops-yaml-');
    file = path.join(t.dir, 'mlops.yaml');
  });
  afterEach(() => t.cleanup());

  it('uses the defaults without a file, or without a drift: section', async () => {
    assert.deepEqual(await projectDriftSettings(file), defaultSettings());
    writeFileSync(file, 'models:\n  churn: {}\n');
    assert.deepEqual(await projectDriftSettings(file), defaultSettings());
  });

  it('applies the drift: section', async () => {
    writeFileSync(
      file,
      'drift:\n  drift_share: 0.3\n  features:\n    age: { ignore: true }\n    country: { method: psi, threshold: 0.2 }\n',
    );
    const s = await projectDriftSettings(file);
    assert.equal(s.driftShare, 0.3);
    assert.equal(s.features.age?.ignore, true);
    assert.deepEqual([s.features.country?.method, s.features.country?.threshold], ['psi', 0.2]);
  });

  it('refuses a broken file with its line and column instead of falling back to the defaults', async () => {
    writeFileSync(file, 'drift:\n  features:\n    age: { ignore: true\n');
    await assert.rejects(
      projectDriftSettings(file),
      (e: unknown) => isMlopsError(e, 'INVALID_ARGUMENT') && /mlops\.yaml, line \d+, column \d+/.test(e.message),
    );
    writeFileSync(file, 'drift:\n  drift_share: lots\n');
    await assert.rejects(
      projectDriftSettings(file),
      (e: unknown) => isMlopsError(e) && /drift_share/.test(e.describe()),
    );
  });
});
