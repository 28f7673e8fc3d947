import path from 'node:path';
import { errorMessage, isMlopsError, MlopsError } from '../../core/errors';
import { readMonitors } from '../../core/monitor/config';
import { evaluateMonitor, type Workspace } from '../../core/monitor/evaluate';
import { watchDataFiles } from '../../core/monitor/dataWatch';
import { MONITOR_DIR } from '../../core/monitor/history';
import { retrain, type RetrainOutcome } from '../../core/monitor/retrain';
import type { Evaluation, MonitorsFile, MonitorSpec } from '../../core/monitor/types';
import { postWebhook, webhookPayload } from '../../core/monitor/webhook';
import { DEFAULT_REGISTRY_DIR, parseRegistryUri } from '../../core/registry/open';
import type { Registry } from '../../core/registry/registry';
import { PREDICTIONS_DIR } from '../../core/serving/predlog/layout';
import { UsageError } from '../args';
import type { CommandContext, CommandSpec, OptionValues } from '../context';
import { evaluationsMarkdown, evaluationsText, retrainText } from './monitorRender';

/** Exit codes of `mlops monitor --once`: cron and CI switch on them. */
const EXIT_HEALTHY = 0;
const EXIT_ERROR = 1;
const EXIT_BREACHED = 3;

/** The monitor workspace: beside an embedded registry, else in .mlops/ beside mlops.yaml. */
export function monitorWorkspace(ctx: CommandContext, project: MonitorsFile): Workspace {
  const loc = parseRegistryUri(ctx.registryUri, ctx.cwd);
  const root = loc.kind === 'embedded' ? loc.dir : path.join(project.dir, DEFAULT_REGISTRY_DIR);
  return { monitorDir: path.join(root, MONITOR_DIR), predictionsRoot: path.join(root, PREDICTIONS_DIR) };
}

async function loadProject(ctx: CommandContext, values: OptionValues): Promise<MonitorsFile> {
  const config = (values.config as string | undefined) ?? 'mlops.yaml';
  const project = await readMonitors(path.resolve(ctx.cwd, config), config);
  if (project.monitors.length === 0)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${config} has no monitors.`,
      'Add a monitors: section (see the README, "Monitoring").',
    );
  return project;
}

interface RoundResult {
  evaluations: Evaluation[];
  retrains: { monitor: string; outcome?: RetrainOutcome; error?: string }[];
  notifications: { monitor: string; ok: boolean; error?: string }[];
}

/** One round: every monitor evaluated, webhooks told of state changes, retrains started by breaches. */
async function round(
  ctx: CommandContext,
  registry: Registry,
  project: MonitorsFile,
  ws: Workspace,
  allowRetrain: boolean,
): Promise<RoundResult> {
  const res: RoundResult = { evaluations: [], retrains: [], notifications: [] };
  for (const m of project.monitors) {
    const e = await evaluateMonitor(m, { registry, project, workspace: ws, signal: ctx.signal });
    res.evaluations.push(e);
    if (m.webhook && e.state !== e.previousState) {
      try {
        await postWebhook(m.webhook, webhookPayload(e), { signal: ctx.signal });
        res.notifications.push({ monitor: m.name, ok: true });
      } catch (err) {
        if (!isMlopsError(err) || err.code === 'CANCELLED') throw err;
        res.notifications.push({ monitor: m.name, ok: false, error: errorMessage(err) });
        ctx.err(`warning: ${errorMessage(err)}`);
      }
    }
    const trigger = firingBreach(m, e);
    if (allowRetrain && trigger) {
      try {
        const outcome = await retrain({
          registry,
          monitor: m,
          dir: project.dir,
          workspace: ws,
          trigger,
          actor: ctx.actor,
          signal: ctx.signal,
          onLine: (l) => ctx.err(`[retrain ${m.modelName}] ${l}`),
        });
        res.retrains.push({ monitor: m.name, outcome });
      } catch (err) {
        if (isMlopsError(err, 'LOCKED'))
          res.retrains.push({ monitor: m.name, outcome: { status: 'skipped', reason: err.message } });
        else if (isMlopsError(err) && err.code !== 'CANCELLED')
          res.retrains.push({ monitor: m.name, error: errorMessage(err) });
        else throw err;
      }
    }
  }
  return res;
}

/** The breach that triggers the monitor's retrain (its `on:` severity or worse), if any. */
function firingBreach(m: MonitorSpec, e: Evaluation) {
  const on = m.retrain?.on;
  if (!on || on === 'never') return undefined;
  return e.events.find((b) => b.severity === 'critical' || (on === 'warning' && b.severity === 'warning'));
}

function exitCode(r: RoundResult): number {
  const failed = (e: Evaluation) => e.error !== undefined || e.checks.some((c) => c.error !== undefined);
  if (r.evaluations.some(failed) || r.retrains.some((x) => x.error)) return EXIT_ERROR;
  return r.evaluations.some((e) => e.state === 'warning' || e.state === 'critical') ? EXIT_BREACHED : EXIT_HEALTHY;
}

function print(ctx: CommandContext, r: RoundResult, md: boolean): void {
  if (ctx.json) return ctx.print(r, () => '');
  const outcomes = r.retrains.flatMap((x) => (x.outcome ? [x.outcome] : []));
  if (md) return ctx.out(evaluationsMarkdown(r.evaluations, outcomes));
  ctx.out(evaluationsText(r.evaluations));
  for (const x of r.retrains)
    ctx.out(x.outcome ? retrainText(x.outcome) : `Retrain of ${x.monitor} failed: ${x.error}`);
}

export const monitorCommand: CommandSpec = {
  name: 'monitor',
  summary: 'Evaluate the monitors of mlops.yaml once (for cron and CI) or keep watching on their schedule',
  usage: '[--once | --watch] [--config mlops.yaml] [--md] [--no-retrain]',
  options: {
    once: { type: 'boolean' },
    watch: { type: 'boolean' },
    config: { type: 'string' },
    md: { type: 'boolean' },
    'no-retrain': { type: 'boolean' },
  },
  positionals: [0, 0],
  help: [
    'Each evaluation is appended to .mlops/monitor/<model>.jsonl, so `for:` and `cooldown` hold between runs:',
    '`mlops monitor --once` from cron behaves like a long-running watcher. --watch evaluates on the schedule and',
    'also as soon as a current: or reference: data file is created or changed (prediction logs: on the schedule).',
    'A webhook: gets a JSON POST (Slack-compatible `text`) per state change. A breach at retrain.on runs the',
    'retrain command and registers its model as @challenger (skip with --no-retrain).',
    '',
    'Exit codes (--once): 0 healthy (or no data), 3 a monitor is Warning or Critical, 1 an error, 2 usage.',
    '',
    'Examples:',
    '  mlops monitor --once',
    '  mlops monitor --once --md > monitor.md     # a pull-request comment',
    '  mlops monitor --watch                      # until Ctrl-C',
  ].join('\n'),
  async run(ctx, _positionals, values) {
    if (values.once && values.watch) throw new UsageError('Give --once or --watch, not both.', 'monitor');
    const project = await loadProject(ctx, values);
    const ws = monitorWorkspace(ctx, project);
    const allowRetrain = !values['no-retrain'];
    const registry = await ctx.registry();
    if (!values.watch) {
      const r = await round(ctx, registry, project, ws, allowRetrain);
      print(ctx, r, values.md === true);
      return exitCode(r);
    }
    const every = Math.min(...project.monitors.map((m) => m.scheduleMs));
    ctx.err(
      `Watching ${project.monitors.length} monitor(s) every ${Math.round(every / 1000)} s and when their data files change; Ctrl-C stops.`,
    );
    // A new data file wakes the watcher at once instead of at the next tick of the schedule.
    const wakeUp: { fn?: () => void } = {};
    let changed: string | undefined;
    const stopWatching = watchDataFiles(project, (file) => {
      changed = file;
      wakeUp.fn?.();
    });
    let last = EXIT_HEALTHY;
    try {
      while (!ctx.signal.aborted) {
        if (changed) ctx.err(`${changed} changed: evaluating now.`);
        changed = undefined;
        try {
          const r = await round(ctx, registry, project, ws, allowRetrain);
          print(ctx, r, values.md === true);
          last = exitCode(r);
        } catch (e) {
          if (isMlopsError(e, 'CANCELLED')) break;
          throw e;
        }
        if (!changed) await sleep(every, ctx.signal, wakeUp);
      }
    } finally {
      stopWatching();
    }
    ctx.err('Stopped watching.');
    return last === EXIT_ERROR ? EXIT_ERROR : EXIT_HEALTHY;
  },
};

/** Waits `ms`, or less when aborted (also before it began) or when `wakeUp.fn` is called. */
function sleep(ms: number, signal: AbortSignal, wakeUp: { fn?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    // Ctrl-C during an evaluation aborts before this sleep listens: without this it waited a whole schedule.
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      wakeUp.fn = undefined;
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
    wakeUp.fn = done;
  });
}

export const retrainCommand: CommandSpec = {
  name: 'retrain',
  summary: "Run a monitor's retrain command now and register its model as @challenger, compared with production",
  usage: '<model|monitor> [--config mlops.yaml]',
  options: { config: { type: 'string' } },
  positionals: [1, 1],
  help: [
    'The command runs in the folder of mlops.yaml with MLOPS_MODEL, MLOPS_CURRENT_DATA, MLOPS_REFERENCE_DATA,',
    'MLOPS_PARENT_VERSION and MLOPS_TRIGGER in its environment; ${current} / ${reference} are replaced by the',
    'quoted data paths. The cool-down does not apply on demand; the lock does (one retrain per model at once).',
    '',
    'Example: mlops retrain fraud',
  ].join('\n'),
  async run(ctx, [name], values) {
    const project = await loadProject(ctx, values);
    const m =
      project.monitors.find((x) => x.name === name && x.retrain) ??
      project.monitors.find((x) => x.modelName === name && x.retrain);
    if (!m)
      throw new MlopsError(
        'NOT_FOUND',
        `No monitor of "${name}" has a retrain: section in ${project.file}.`,
        `Monitors: ${project.monitors.map((x) => x.name).join(', ')}.`,
      );
    const outcome = await retrain({
      registry: await ctx.registry(),
      monitor: m,
      dir: project.dir,
      workspace: monitorWorkspace(ctx, project),
      actor: ctx.actor,
      force: true,
      signal: ctx.signal,
      onLine: (l) => ctx.err(`[retrain ${m.modelName}] ${l}`),
    });
    ctx.print(outcome, () => retrainText(outcome));
    return 0;
  },
};
