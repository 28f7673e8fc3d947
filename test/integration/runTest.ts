/**
 * `npm run test:integration`: runs the suites in a real VS Code. On these machines that is code-server
 * (VS Code 1.139 server + workbench) in headless chromium, reached through driver/codeServerDriver.js
 * posing as the VS Code executable; MLOPS_E2E_VSCODE=desktop lets runTests download VS Code desktop
 * instead where the internet is reachable. Two runs: the main suite in a trusted workspace, then a
 * short one in an untrusted workspace (restricted mode: the registry must be read-only).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildMlp } from '../builders/mlpBuilder';

const REPO = path.resolve(__dirname, '../../..');
/** README screenshots are refreshed only on request (MLOPS_UPDATE_SCREENSHOTS=1), so a test run leaves git clean. */
const SCREENSHOT_DIR =
  process.env.MLOPS_UPDATE_SCREENSHOTS === '1'
    ? path.join(REPO, 'media', 'screenshots')
    : path.join(REPO, '.vscode-test', 'screenshots');
const desktop = process.env.MLOPS_E2E_VSCODE === 'desktop';

function ensureCodeServer(): void {
  // Idempotent and quick when .vscode-test/ already holds the install (CI runs it beforehand).
  const r = spawnSync('bash', [path.join(REPO, 'scripts/install-code-server.sh')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('Installing code-server failed (see above).');
}

/** The restricted run's registry, made with the real CLI: churn v1, then v2 promoted to production. */
function seedRegistry(workspace: string): void {
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(REPO, 'dist/cli.js'), ...args], {
      cwd: workspace,
      encoding: 'utf8',
      env: { ...process.env, MLOPS_ACTOR: 'seed' },
    });
    if (r.status !== 0) throw new Error(`mlops ${args.join(' ')}: ${r.stderr}`);
  };
  for (const v of [1, 2]) {
    const file = path.join(workspace, `churn-${v}.onnx`);
    writeFileSync(file, buildMlp({ inputDim: 4, hidden: [8], outputDim: 2, seed: v }));
    cli('push', file, '--model', 'churn', '--alias', 'production');
  }
}

async function runSuite(name: string, suite: string, opts: { trust: boolean; seed: boolean }): Promise<void> {
  const started = Date.now();
  const tmp = mkdtempSync(path.join(os.tmpdir(), `mlops-e2e-${name}-`));
  const workspace = path.join(tmp, 'workspace');
  mkdirSync(workspace);
  if (opts.seed) seedRegistry(workspace);
  // The main suite's last test records the ports of endpoints it leaves running; the driver closes the
  // window and checks that nothing listens on them any more (it reads the same variable).
  const leftRunning = opts.seed ? '' : path.join(tmp, 'left-running.json');
  process.env.MLOPS_E2E_LEFT_RUNNING = leftRunning;
  try {
    await runTests({
      vscodeExecutablePath: desktop ? undefined : path.join(__dirname, 'driver', 'codeServerDriver.js'),
      extensionDevelopmentPath: REPO,
      extensionTestsPath: path.join(__dirname, suite, 'index.js'),
      launchArgs: [
        workspace,
        `--user-data-dir=${path.join(tmp, 'user-data')}`,
        `--extensions-dir=${path.join(tmp, 'extensions')}`,
        '--disable-extensions',
      ],
      extensionTestsEnv: {
        MLOPS_ACTOR: 'e2e-tester',
        MLOPS_E2E_REPO: REPO,
        MLOPS_E2E_WORKSPACE: workspace,
        MLOPS_E2E_SCREENSHOTS: SCREENSHOT_DIR,
        MLOPS_E2E_WORKSPACE_TRUST: opts.trust ? '1' : '',
        MLOPS_E2E_LEFT_RUNNING: leftRunning,
      },
    });
    console.log(
      `Integration tests "${name}" (real VS Code) passed in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!desktop) {
    ensureCodeServer();
    chmodSync(path.join(__dirname, 'driver', 'codeServerDriver.js'), 0o755); // tsc does not set the executable bit
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await runSuite('main', 'suite', { trust: false, seed: false });
  // VS Code desktop starts runTests' folder trusted (--disable-workspace-trust); only the driver can withhold it.
  if (!desktop) await runSuite('untrusted', 'restricted', { trust: true, seed: true });
}

main().catch((e: unknown) => {
  console.error(`Integration tests failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
