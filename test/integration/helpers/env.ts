import path from 'node:path';

/** Paths runTest.ts hands to the suite through the extension host's environment. */
function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suite through test/integration/runTest.js`);
  return v;
}

export const REPO = need('MLOPS_E2E_REPO');
export const WORKSPACE = need('MLOPS_E2E_WORKSPACE');
export const SCREENSHOTS = need('MLOPS_E2E_SCREENSHOTS');
export const CLI = path.join(REPO, 'dist', 'cli.js');
export const ACTOR = process.env.MLOPS_ACTOR ?? '';
export const EXTENSION_ID = 'mlops-studio.mlops-studio';
