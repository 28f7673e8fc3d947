import { parseArgs } from 'node:util';
import { MlopsError, errorMessage } from '../core/errors';
import { openRegistry, parseRegistryUri } from '../core/registry/open';
import type { Registry } from '../core/registry/registry';
import { defaultActor } from '../core/util/actor';
import { asUsage, UsageError } from './args';
import { COMMANDS } from './commands';
import type { CommandContext, CommandSpec, OptionSpec } from './context';

export const EXIT = { OK: 0, USER_ERROR: 1, USAGE: 2, DRIFT: 3, NOT_WORTH_IT: 4, INTERRUPTED: 130 } as const;

const GLOBAL_OPTIONS: OptionSpec = {
  registry: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal?: AbortSignal;
  /**
   * --json is indented for a person at a terminal and one line when piped (as gh does): a machine reads
   * either, and 10,000 versions print in half the time and bytes.
   */
  prettyJson?: boolean;
  /** Standard output for bytes (`mlops pull -o -`); default process.stdout. */
  binaryOut?: NodeJS.WritableStream;
}

/** package.json's version, put in by the bundler (esbuild.mjs `define`); unbundled runs say so. */
declare const MLOPS_VERSION: string | undefined;
const VERSION = typeof MLOPS_VERSION === 'string' ? MLOPS_VERSION : '0.0.0-unbundled';

function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'mlops — version, promote, roll back and verify ONNX models (MLOps Studio CLI)',
    '',
    'Usage: mlops <command> [arguments] [--registry <dir|url>] [--json]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Global options:',
    '  --registry <dir|url>  registry folder or MLflow server URL (default ./.mlops; also MLOPS_REGISTRY,',
    '                        then an http(s) MLFLOW_TRACKING_URI)',
    '  --json                machine-readable output on stdout',
    '  -h, --help            help for a command: mlops <command> --help',
    '',
    'Exit codes: 0 success, 1 error (the message says what to do), 2 usage error, 3 drift found (--fail-on-drift), 4 quantization not worth it, 130 interrupted.',
    'The actor recorded in the audit history is MLOPS_ACTOR, else the OS user name.',
  ].join('\n');
}

function commandHelp(c: CommandSpec): string {
  return [`Usage: mlops ${c.name} ${c.usage}`, '', c.summary, ...(c.help ? ['', c.help] : [])].join('\n');
}

/**
 * `--limit -1`: node's parseArgs takes "-1" for an option and refuses the pair as ambiguous, so the user
 * never hears what is wrong with the value. A negative number after an option that takes a value is that
 * value (`--limit=-1`), and the command's own check then says what range it accepts.
 */
function attachNegativeValues(args: string[], options: Record<string, { type: string; short?: string }>): string[] {
  const takesValue = (a: string) => {
    if (a.startsWith('--')) return options[a.slice(2)]?.type === 'string';
    return a.length === 2 && Object.values(options).some((o) => o.short === a[1] && o.type === 'string');
  };
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = args[i + 1];
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (next !== undefined && /^-(\d|\.\d)/.test(next) && takesValue(a)) {
      out.push(a.startsWith('--') ? `${a}=${next}` : `${a}${next}`); // -n-1: a short option's attached value
      i++;
    } else out.push(a);
  }
  return out;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout(topic ? commandHelp(topic) : mainHelp());
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(VERSION);
    return EXIT.OK;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.stderr(`error: unknown command "${name}". Run \`mlops --help\` to list the commands.`);
    return EXIT.USAGE;
  }

  let json = rest.includes('--json');
  const opened: Registry[] = [];
  try {
    let parsed;
    try {
      const options = { ...GLOBAL_OPTIONS, ...cmd.options };
      parsed = parseArgs({
        args: attachNegativeValues(rest, options),
        options,
        allowPositionals: true,
        strict: true,
      });
    } catch (e) {
      throw new UsageError(errorMessage(e).replace(/\. To specify a positional argument.*$/, '.'), cmd.name);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout(commandHelp(cmd));
      return EXIT.OK;
    }
    json = values.json === true;
    const [min, max] = cmd.positionals;
    if (positionals.length < min) throw new UsageError(`missing arguments.`, cmd.name);
    if (positionals.length > max) throw new UsageError(`unexpected argument "${positionals[max]}".`, cmd.name);

    const registryUri =
      (values.registry as string | undefined) ?? (io.env.MLOPS_REGISTRY || undefined) ?? mlflowTrackingUri(io.env);
    const ctx: CommandContext = {
      registryUri,
      cwd: io.cwd,
      env: io.env,
      json,
      actor: defaultActor(io.env),
      signal: io.signal ?? new AbortController().signal,
      out: io.stdout,
      binaryOut: io.binaryOut ?? process.stdout,
      err: io.stderr,
      print: (data, human) => io.stdout(json ? JSON.stringify(data, null, io.prettyJson ? 2 : undefined) : human()),
      registry: async (o = {}) => {
        // A registry URI that does not parse is a usage error (exit 2), not a failed operation.
        asUsage(() => parseRegistryUri(registryUri, io.cwd));
        const r = await openRegistry(registryUri, { cwd: io.cwd, create: o.create, env: io.env });
        opened.push(r);
        return r;
      },
    };
    const code = await cmd.run(ctx, positionals, values);
    return code ?? EXIT.OK;
  } catch (e) {
    return reportError(e, io, json, cmd);
  } finally {
    for (const r of opened) await r.close().catch(() => undefined);
  }
}

/**
 * MLflow's own variable, used when no registry is named. Only an http(s) server counts: its other forms
 * (file:./mlruns, sqlite:///…, databricks) are MLflow stores we do not read, so they are ignored.
 */
function mlflowTrackingUri(env: NodeJS.ProcessEnv): string | undefined {
  const u = env.MLFLOW_TRACKING_URI?.trim();
  return u && /^https?:\/\//i.test(u) ? u : undefined;
}

function reportError(e: unknown, io: CliIo, json: boolean, cmd: CommandSpec): number {
  if (e instanceof UsageError) {
    io.stderr(
      json
        ? JSON.stringify({ error: { code: 'USAGE', message: e.message, hint: e.hint ?? null } })
        : `error: ${e.message}${e.hint ? ` ${e.hint}` : ''}\nUsage: mlops ${cmd.name} ${cmd.usage}`,
    );
    return EXIT.USAGE;
  }
  if (e instanceof MlopsError) {
    io.stderr(
      json
        ? JSON.stringify({ error: { code: e.code, message: e.message, hint: e.hint ?? null } })
        : `error: ${e.describe()}`,
    );
    return e.code === 'CANCELLED' ? EXIT.INTERRUPTED : EXIT.USER_ERROR;
  }
  // Not ours: a bug. Say so, with the stack for the report.
  const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
  io.stderr(
    json
      ? JSON.stringify({ error: { code: 'INTERNAL', message: errorMessage(e) } })
      : `error: unexpected failure in "mlops ${cmd.name}" (please report it): ${msg}`,
  );
  return EXIT.USER_ERROR;
}
