import { setFlagsFromString } from 'node:v8';
import { runCli } from './cli';

// Before sql.js compiles its wasm: a CLI command lives a fraction of a second, in which V8's optimizing
// tier-up of SQLite's large functions (on background threads) costs more CPU than it ever saves; the
// baseline compiler alone halves the CPU time of a registry command (see bench: registry-cli).
setFlagsFromString('--liftoff-only');

// Ctrl-C cancels long operations cleanly (temporary files removed); a second one exits at once.
const abort = new AbortController();
process.on('SIGINT', () => {
  if (abort.signal.aborted) process.exit(130);
  abort.abort();
});

runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s.endsWith('\n') || s === '' ? s : s + '\n'),
  stderr: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
  env: process.env,
  cwd: process.cwd(),
  prettyJson: process.stdout.isTTY === true,
  signal: abort.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
