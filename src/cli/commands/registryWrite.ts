import { existsSync } from 'node:fs';
import path from 'node:path';
import { isMlopsError, MlopsError } from '../../core/errors';
import { DB_FILE } from '../../core/registry/embedded/embeddedRegistry';
import { parseRegistryUri } from '../../core/registry/open';
import { resolveModelRef } from '../../core/registry/resolve';
import { signatureWarning } from '../../core/registry/signatureChange';
import type { AuditEvent } from '../../core/registry/types';
import { versionUri } from '../../core/registry/uri';
import { parseDuration } from '../../core/util/duration';
import { formatBytes, orUnknown } from '../../core/util/format';
import { asUsage, parseKeyValues, parseMetrics, parseModelRefArg, parseVersionArg, UsageError } from '../args';
import type { CommandSpec } from '../context';
import { resolveIdempotencyKey } from '../idempotencyKey';
import { pullTarget, pullThroughTemp } from './pullTarget';
import { describeEvent } from './render';

/** Commands that change the registry. Every change is recorded with MLOPS_ACTOR (or the OS user). */

const reasonOption = { reason: { type: 'string' as const } };

function eventLine(model: string, e: AuditEvent): string {
  return `${model}: ${describeEvent(e)}`;
}

export const initCommand: CommandSpec = {
  name: 'init',
  summary: 'Create an empty registry (default ./.mlops)',
  usage: '[--registry <dir>]',
  positionals: [0, 0],
  async run(ctx) {
    const loc = asUsage(() => parseRegistryUri(ctx.registryUri, ctx.cwd));
    const existed = loc.kind === 'embedded' && existsSync(path.join(loc.dir, DB_FILE));
    const reg = await ctx.registry({ create: true });
    if (reg.kind === 'mlflow') {
      ctx.print(
        { location: reg.location, created: false },
        () => `${reg.location} is an MLflow tracking server: it needs no init, and it answered.`,
      );
      return;
    }
    ctx.print({ location: reg.location, created: !existed }, () =>
      existed ? `A registry already exists at ${reg.location}.` : `Created a registry at ${reg.location}.`,
    );
  },
};

export const pushCommand: CommandSpec = {
  name: 'push',
  summary: 'Register an ONNX file as a new version of a model',
  usage:
    '<file.onnx> --model <name> [--metric k=v]... [--param k=v]... [--tag k=v]... [--description s] [--alias a] [--parent v] [--run-id id] [--idempotency-key k|auto]',
  options: {
    model: { type: 'string', short: 'm' },
    metric: { type: 'string', multiple: true },
    param: { type: 'string', multiple: true },
    tag: { type: 'string', multiple: true },
    description: { type: 'string' },
    alias: { type: 'string' },
    parent: { type: 'string' },
    'run-id': { type: 'string' },
    'idempotency-key': { type: 'string' },
  },
  positionals: [1, 1],
  help: [
    'The signature (inputs/outputs), opsets and parameter count are read from the ONNX graph.',
    'Example: mlops push model.onnx --model churn --metric auc=0.94 --param lr=0.01 --alias staging',
    '--idempotency-key makes a retried push safe: if this model already has a version pushed from the same',
    'file with the same key, that version is printed and nothing new is registered. `auto` uses the CI',
    "run's id (GitHub Actions, GitLab CI, ...); MLOPS_IDEMPOTENCY_KEY sets it for every push.",
  ].join('\n'),
  async run(ctx, [file], values) {
    const model = values.model as string | undefined;
    if (!model) throw new UsageError('--model <name> is required.', 'push');
    const parent = values.parent as string | undefined;
    const idempotencyKey = resolveIdempotencyKey(values['idempotency-key'] as string | undefined, ctx.env);
    const alias = values.alias as string | undefined;
    const reg = await ctx.registry({ create: true });
    // The version the alias leaves, to warn when callers of model@alias get another signature.
    const replaced = alias ? await reg.getVersionByAlias(model, alias).catch(notFoundAsUndefined) : undefined;
    const v = await reg.pushVersion(
      {
        filePath: path.resolve(ctx.cwd, file),
        model,
        metrics: parseMetrics(values.metric as string[] | undefined),
        params: parseKeyValues('param', values.param as string[] | undefined),
        tags: parseKeyValues('tag', values.tag as string[] | undefined),
        description: values.description as string | undefined,
        alias,
        parentVersion: parent === undefined ? undefined : parseVersionArg(parent),
        runId: values['run-id'] as string | undefined,
        idempotencyKey,
      },
      { actor: ctx.actor },
      { signal: ctx.signal },
    );
    ctx.print(
      v,
      () =>
        `Pushed ${versionUri(v.model, v.version)} (${formatBytes(v.artifact.size)}, sha256 ${orUnknown(v.artifact.sha256, 12)})${v.aliases.length ? ' @' + v.aliases.join(' @') : ''}${idempotencyKey === undefined ? '' : ` [idempotency key ${idempotencyKey}]`}`,
    );
    const warning = alias && replaced ? signatureWarning(model, alias, replaced, v) : undefined;
    if (warning) ctx.err(`Warning: ${warning}`);
  },
};

function notFoundAsUndefined(e: unknown): undefined {
  if (isMlopsError(e, 'NOT_FOUND')) return undefined;
  throw e;
}

export const promoteCommand: CommandSpec = {
  name: 'promote',
  summary: 'Move an alias (staging, production, champion...) to a version',
  usage: '<model> <version> --alias <a> [--reason <s>]',
  options: { alias: { type: 'string', short: 'a' }, ...reasonOption },
  positionals: [2, 2],
  async run(ctx, [model, version], values) {
    const alias = values.alias as string | undefined;
    if (!alias) throw new UsageError('--alias <a> is required.', 'promote');
    const reg = await ctx.registry();
    const v = parseVersionArg(version);
    const e = await reg.promote(model, alias, v, { actor: ctx.actor, reason: values.reason as string | undefined });
    ctx.print({ changed: e !== null, event: e }, () =>
      e ? eventLine(model, e) : `${model}: @${alias} already points at v${v}; nothing changed.`,
    );
  },
};

export const rollbackCommand: CommandSpec = {
  name: 'rollback',
  summary: 'Move an alias back to the version that held it before',
  usage: '<model> --alias <a> [--reason <s>]',
  options: { alias: { type: 'string', short: 'a' }, ...reasonOption },
  positionals: [1, 1],
  help: 'Repeated rollbacks walk further back through the alias history.',
  async run(ctx, [model], values) {
    const alias = values.alias as string | undefined;
    if (!alias) throw new UsageError('--alias <a> is required.', 'rollback');
    const reg = await ctx.registry();
    const e = await reg.rollback(model, alias, { actor: ctx.actor, reason: values.reason as string | undefined });
    ctx.print({ event: e }, () => eventLine(model, e));
  },
};

function statusCommand(name: 'archive' | 'restore'): CommandSpec {
  return {
    name,
    summary: name === 'archive' ? 'Archive a version (hidden, cannot take an alias)' : 'Restore an archived version',
    usage: '<model> <version> [--reason <s>]',
    options: reasonOption,
    positionals: [2, 2],
    async run(ctx, [model, version], values) {
      const reg = await ctx.registry();
      const e = await reg.setVersionStatus(
        model,
        parseVersionArg(version),
        name === 'archive' ? 'archived' : 'active',
        { actor: ctx.actor, reason: values.reason as string | undefined },
      );
      ctx.print({ event: e }, () => eventLine(model, e));
    },
  };
}

export const archiveCommand = statusCommand('archive');
export const restoreCommand = statusCommand('restore');

export const deleteCommand: CommandSpec = {
  name: 'delete',
  summary: 'Delete a version (its aliases first), or a whole model',
  usage: '<model> [<version>] --yes [--reason <s>]',
  options: { yes: { type: 'boolean', short: 'y' }, ...reasonOption },
  positionals: [1, 2],
  help: 'Deleting cannot be undone; the audit history keeps a record. Version numbers are never reused.',
  async run(ctx, [model, version], values) {
    if (values.yes !== true) throw new UsageError('deleting cannot be undone: add --yes to confirm.', 'delete');
    const reg = await ctx.registry();
    const actx = { actor: ctx.actor, reason: values.reason as string | undefined };
    if (version === undefined) {
      await reg.deleteModel(model, actx);
      ctx.print({ deleted: { model } }, () => `Deleted model "${model}".`);
    } else {
      const v = parseVersionArg(version);
      await reg.deleteVersion(model, v, actx);
      ctx.print({ deleted: { model, version: v } }, () => `Deleted ${versionUri(model, v)}.`);
    }
  },
};

export const pullCommand: CommandSpec = {
  name: 'pull',
  summary: "Copy a version's ONNX file out of the registry, verifying its sha256",
  usage: '<uri> [-o <file>] [--force]',
  options: { output: { type: 'string', short: 'o' }, force: { type: 'boolean' } },
  positionals: [1, 1],
  help: [
    "Without -o the file is written as <model>-v<version>.onnx in the current folder ('/' and ':' in the name",
    "become '_'). -o - writes to standard",
    'output (the summary goes to stderr). A device or a pipe is written in place; a symbolic link is followed',
    '(the file it points to is written, the link stays); only an existing regular file needs --force.',
  ].join('\n'),
  async run(ctx, [uri], values) {
    const ref = parseModelRefArg(uri);
    const reg = await ctx.registry();
    const v = await resolveModelRef(reg, ref);
    // A model named team/churn (MLflow accepts '/' and ':') still gives one file in this folder.
    const fallback = `${v.model.replace(/[/:\\]/g, '_')}-v${v.version}.onnx`;
    const target = await pullTarget((values.output as string | undefined) ?? fallback, ctx.cwd);
    if (target.kind === 'file' && target.exists && values.force !== true) {
      throw new MlopsError(
        'ALREADY_EXISTS',
        `${target.display} already exists.`,
        'Choose another -o path, or add --force to overwrite it.',
      );
    }
    const pull = (file: string) => reg.pullArtifact(v.model, v.version, file, { signal: ctx.signal });
    if (target.kind === 'file') await pull(target.path);
    else await pullThroughTemp(target, pull, ctx.binaryOut, ctx.signal);
    const where = target.kind === 'file' ? target.path : target.display;
    const data = { model: v.model, version: v.version, path: where, sha256: v.artifact.sha256, size: v.artifact.size };
    const human = () => `Wrote ${target.display} (${versionUri(v.model, v.version)}, sha256 verified).`;
    // Standard output carries the model's bytes, so the summary goes to stderr.
    if (target.kind === 'stdout') ctx.err(ctx.json ? JSON.stringify(data) : human());
    else ctx.print(data, human);
  },
};

export const verifyCommand: CommandSpec = {
  name: 'verify',
  summary: "Check the registry: database integrity and every artifact's sha256",
  usage: '[--json]',
  positionals: [0, 0],
  async run(ctx) {
    const reg = await ctx.registry();
    const r = await reg.verify({ signal: ctx.signal });
    ctx.print(r, () => {
      const gcHint = r.orphanArtifacts > 0 && reg.collectGarbage ? ' (`mlops gc` removes them)' : '';
      const skipped = r.unverifiable.length ? `, ${r.unverifiable.length} not verifiable` : '';
      const head = `${r.models} models, ${r.versions} versions, ${r.artifactsChecked} artifacts checked${skipped}, ${r.orphanArtifacts} unreferenced${gcHint}.`;
      // Versions other clients registered carry no sha256 to check against: a note, not a failure.
      const note = r.unverifiable.length
        ? [
            `Not verifiable (no recorded sha256; registered by another client): ${r.unverifiable
              .map((u) => `${u.model} v${u.version}`)
              .join(', ')}.`,
          ]
        : [];
      if (r.ok) return [`OK: ${head}`, ...note].join('\n');
      return [
        `PROBLEMS: ${head}`,
        ...r.problems.map((p) => `- ${p.model ? `${p.model}${p.version ? ` v${p.version}` : ''}: ` : ''}${p.problem}`),
        ...note,
      ].join('\n');
    });
    return r.ok ? 0 : 1;
  },
};

export const gcCommand: CommandSpec = {
  name: 'gc',
  summary: 'Remove stored artifacts no version refers to any more (embedded registry)',
  usage: '[--grace 1h] [--dry-run] [--json]',
  options: { grace: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  positionals: [0, 0],
  help: [
    'Deleted versions and interrupted pushes leave their ONNX file in .mlops/artifacts (`mlops verify` counts',
    'them as unreferenced). gc removes those untouched for --grace (default 1h): a younger one may belong to',
    'a push still under way in another process. Versions, aliases and history are never touched.',
    'Example: mlops gc --dry-run    then    mlops gc --grace 7d',
  ].join('\n'),
  async run(ctx, _args, values) {
    const grace = asUsage(() => parseDuration(String(values.grace ?? '1h'), '--grace'));
    const dryRun = values['dry-run'] === true;
    const reg = await ctx.registry();
    if (!reg.collectGarbage) {
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${reg.location} is an MLflow server, which manages its own artifact store; mlops gc cleans an embedded registry.`,
        'Run `mlflow gc` on the server for deleted runs, or point --registry at a .mlops folder.',
      );
    }
    const r = await reg.collectGarbage({ graceMs: grace.ms, dryRun, signal: ctx.signal });
    ctx.print({ ...r, grace: grace.label }, () => {
      const verb = dryRun ? 'Would remove' : 'Removed';
      const lines = [
        `${verb} ${r.removed.length} unreferenced artifact${r.removed.length === 1 ? '' : 's'} (${formatBytes(r.bytesFreed)}); ${r.referenced} in use.`,
      ];
      if (r.keptRecent > 0)
        lines.push(
          `Kept ${r.keptRecent} unreferenced but younger than ${grace.label} (a push may be under way); run again later or lower --grace.`,
        );
      if (dryRun) lines.push(...r.removed.map((a) => `  ${a.sha256}  ${formatBytes(a.size)}`));
      return lines.join('\n');
    });
  },
};
