import path from 'node:path';
import Mocha from 'mocha';
import { captureOnFailure } from '../helpers/diagnostics';

/** The second run: the same extension in an untrusted workspace (restricted mode). */
export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: 30_000,
    slow: 2_000,
    grep: process.env.MLOPS_E2E_GREP || undefined,
  });
  mocha.addFile(path.join(__dirname, 'readOnly.test.js'));
  mocha.suite.afterEach(captureOnFailure);
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed.`)) : resolve()));
  });
}
