import { runCli } from './cli';

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
