import path from 'node:path';
import Mocha from 'mocha';
import { captureOnFailure } from '../helpers/diagnostics';

/**
 * Entry point VS Code calls in the extension host (--extensionTestsPath). The files share one window
 * and workspace, so they run in this order: activation first (nothing may have opened the registry
 * yet), the UI test last (it leaves menus and documents around).
 */
const ORDER = [
  'activation',
  'welcome',
  'tree',
  'transitions',
  'pushAndTags',
  'live',
  'errors',
  'statusBar',
  'ui',
  'drift',
  'mlflow',
  'serving',
  'monitors',
  'quantize',
  // Last: leaves endpoints running for the driver to check once the window is closed.
  'windowClose',
];

export async function run(): Promise<void> {
  // MLOPS_E2E_GREP runs only the matching tests (while writing one); the order above still applies.
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: 30_000,
    slow: 2_000,
    grep: process.env.MLOPS_E2E_GREP || undefined,
  });
  for (const f of ORDER) mocha.addFile(path.join(__dirname, `${f}.test.js`));
  mocha.suite.afterEach(captureOnFailure);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => {
      console.log(`Extension host suite finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed.`));
      else resolve();
    });
  });
}
