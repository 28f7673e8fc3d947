/**
 * The demo's serving part: `mlops serve` the production version in the background, send it a few
 * requests in both protocols, load-test it with `mlops loadtest`, then stop it with SIGTERM (which drains
 * and flushes the prediction log) — what a user does before promoting, and what a CI smoke test runs.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface DemoCli {
  cliPath: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Runs `mlops <args>` to completion, printing the command and its output; exits the demo on failure. */
  run(...args: string[]): string;
}

export async function serveDemo(cli: DemoCli, uri: string, inputDim: number): Promise<void> {
  const args = ['serve', uri, '--port', '0', '--json', '--summary-every', '0'];
  console.log(`\n$ mlops ${args.join(' ')} &`);
  const server = spawn(process.execPath, [cli.cliPath, ...args], { cwd: cli.cwd, env: cli.env });
  server.stderr.pipe(process.stderr);
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  // A failed step exits the demo at once: the server must not outlive it.
  const killOnExit = () => server.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    const ready = await firstLine(server.stdout, exited);
    console.log(ready);
    const { url } = JSON.parse(ready) as { url: string };
    const model = uri.replace(/^models:\//, '').replace(/[@/].*$/, '');

    const row = (i: number) =>
      Array.from({ length: inputDim }, (_, j) => Math.round((((i + j) % 7) / 7) * 1000) / 1000);
    const oip = {
      id: 'demo-1',
      inputs: [{ name: 'input', shape: [2, inputDim], datatype: 'FP32', data: [row(1), row(2)].flat() }],
    };
    console.log(`\n$ curl -s ${url}/v2/models/${model}/infer -d '${JSON.stringify(oip)}'`);
    const infer = await fetch(`${url}/v2/models/${model}/infer`, { method: 'POST', body: JSON.stringify(oip) });
    console.log(`${infer.status} (answered by version ${infer.headers.get('x-model-version')}): ${await infer.text()}`);

    const mlflow = { dataframe_split: { columns: row(0).map((_, j) => `f${j}`), data: [row(3)] } };
    console.log(`\n$ curl -s ${url}/invocations -H 'Content-Type: application/json' -d '${JSON.stringify(mlflow)}'`);
    const inv = await fetch(`${url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(mlflow),
    });
    console.log(`${inv.status}: ${await inv.text()}`);

    const bad = { inputs: [{ name: 'input', shape: [1, inputDim - 1], datatype: 'FP32', data: row(0).slice(1) }] };
    console.log(`\n$ curl -s ${url}/v2/models/${model}/infer -d '<one feature short>'`);
    const refused = await fetch(`${url}/v2/models/${model}/infer`, { method: 'POST', body: JSON.stringify(bad) });
    console.log(`${refused.status}: ${await refused.text()}`);

    cli.run('loadtest', url, '--model', model, '--concurrency', '8', '--duration', '3s', '--quiet');
  } finally {
    console.log('\n$ kill -TERM <mlops serve>   # drains the requests in flight and flushes the prediction log');
    server.kill('SIGTERM');
  }
  const code = await exited;
  process.removeListener('exit', killOnExit);
  if (code !== 0) throw new Error(`mlops serve exited with ${code} after SIGTERM.`);
}

function firstLine(stream: NodeJS.ReadableStream, exited: Promise<number | null>): Promise<string> {
  const lines = createInterface({ input: stream });
  return Promise.race([
    new Promise<string>((resolve) => lines.once('line', resolve)),
    exited.then((code) => Promise.reject(new Error(`mlops serve exited with ${code} before it was ready.`))),
  ]);
}
