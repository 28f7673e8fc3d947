import type { ParseArgsConfig } from 'node:util';
import type { Registry } from '../core/registry/registry';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  /** --registry, else MLOPS_REGISTRY, else an http(s) MLFLOW_TRACKING_URI, else undefined (./.mlops). */
  registryUri: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
  json: boolean;
  actor: string;
  signal: AbortSignal;
  out(text: string): void;
  /** Standard output as a byte stream (`mlops pull -o -`). */
  binaryOut: NodeJS.WritableStream;
  err(text: string): void;
  /** Prints `data` as JSON with --json, else the human text. */
  print(data: unknown, human: () => string): void;
  /** Opens the registry (creating an embedded one when `create`); closed by the runner. */
  registry(opts?: { create?: boolean }): Promise<Registry>;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Arguments after the command name, e.g. "<model> <version> --alias <a> [--reason <s>]". */
  usage: string;
  options?: OptionSpec;
  positionals: [min: number, max: number];
  /** Longer help: examples and notes. */
  help?: string;
  run(ctx: CommandContext, positionals: string[], values: OptionValues): Promise<number | void>;
}
