import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MlopsError } from '../../core/errors';
import {
  boundedInt,
  defaultSettings,
  type DriftSettings,
  LIMITS,
  parseColumnType,
  parseDriftShare,
  parseMethod,
  parseThreshold,
  parseTtl,
  parseWindow,
} from '../../core/drift/config';
import { driftSection, driftSettingsFor, readProjectFile } from '../../core/drift/configFile';
import { notComparedReasons, notComparedSentence } from '../../core/drift/report/format';
import { DRIFT_METHODS, type DriftMethod, type DriftResult } from '../../core/drift/result';
import { renderHtml } from '../../core/drift/report/html';
import { renderMarkdown } from '../../core/drift/report/markdown';
import { renderText } from '../../core/drift/report/text';
import { type DriftProgress, runDrift } from '../../core/drift/run';
import { fsError } from '../../core/util/fsx';
import { outputPathProblem } from '../../core/util/outputPath';
import { formatBytes } from '../../core/util/format';
import { asUsage, parseKeyValues, UsageError } from '../args';
import type { CommandContext, CommandSpec, OptionValues } from '../context';

const FORMATS = ['table', 'json', 'md', 'html'] as const;
type Format = (typeof FORMATS)[number];
/** Files above this size report reading progress on stderr. */
const PROGRESS_BYTES = 32 << 20;

export const driftCommand: CommandSpec = {
  name: 'drift',
  summary: 'Compare current data with reference data: per-feature drift, dataset verdict, windows, staleness',
  usage:
    '--reference <file> --current <file> [--columns a,b] [--timestamp <col> --window 1d|5000rows] [--ttl 24h] [--format table|json|md|html] [--out <file>] [--fail-on-drift] [--config mlops.yaml] [--method col=ks] [--threshold col=0.01|method=0.1] [--type col=categorical] [--ignore col] [--drift-share 0.5] [--bins 30] [--quiet]',
  options: {
    reference: { type: 'string' },
    current: { type: 'string' },
    columns: { type: 'string' },
    timestamp: { type: 'string' },
    window: { type: 'string' },
    ttl: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    'fail-on-drift': { type: 'boolean' },
    config: { type: 'string' },
    method: { type: 'string', multiple: true },
    threshold: { type: 'string', multiple: true },
    type: { type: 'string', multiple: true },
    ignore: { type: 'string', multiple: true },
    'drift-share': { type: 'string' },
    bins: { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  },
  positionals: [0, 0],
  help: [
    'Files: .csv / .tsv (delimiter detected), .jsonl, .parquet. Types are inferred; override with --type.',
    '',
    'Default tests (as Evidently): reference <= 1000 values: numeric with > 5 unique -> Kolmogorov-Smirnov',
    '(drift when p <= 0.05); numeric with 3-5 unique or categorical -> chi-squared (p < 0.05); two values ->',
    'Z-test (p < 0.05). Reference > 1000 values: numeric with > 5 unique -> Wasserstein / reference std',
    '(>= 0.1); otherwise Jensen-Shannon distance (>= 0.1). PSI for every feature (0.1 moderate, 0.25',
    'significant). Dataset drift when the share of drifted features reaches --drift-share (0.5).',
    '',
    '--config reads the `drift:` section of mlops.yaml (or JSON); flags override it.',
    '--threshold takes a feature (age=0.01) or a method (wasserstein=0.2) on the left.',
    '--window 1h|1d|1w needs a timestamp column (--timestamp, or the only one found); --window 5000rows does not.',
    '--ttl 24h reports stale data when the newest timestamp of the current data is older than that.',
    '',
    `Bounds: --bins 1-${LIMITS.bins}, --drift-share (0, 1], thresholds 0-${LIMITS.threshold}, windows of 1-${LIMITS.windowRows} rows`,
    'or up to 100 years, --ttl up to 100 years (the same in mlops.yaml).',
    '',
    'Exit codes: 0 no drift; 3 with --fail-on-drift: dataset drift, stale data, or a feature that could not be',
    'compared (every current value missing or invalid, or values that overflow); 1 error; 2 usage.',
    '',
    'Examples:',
    '  mlops drift --reference train.csv --current last_week.parquet',
    '  mlops drift --reference ref.csv --current today.csv --timestamp ts --window 1h --ttl 6h --fail-on-drift',
    '  mlops drift --reference ref.csv --current cur.csv --format html --out drift.html',
  ].join('\n'),
  async run(ctx, _positionals, values) {
    const reference = values.reference as string | undefined;
    const current = values.current as string | undefined;
    if (!reference || !current) throw new UsageError('--reference and --current are required.', 'drift');
    const format = (ctx.json ? 'json' : ((values.format as string | undefined) ?? 'table')) as Format;
    if (!FORMATS.includes(format))
      throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}".`, 'drift');
    const files = { reference: path.resolve(ctx.cwd, reference), current: path.resolve(ctx.cwd, current) };
    const out = values.out as string | undefined;
    const target = out === undefined ? undefined : path.resolve(ctx.cwd, out);
    if (out && target) await checkOut(out, target, files, format);
    const settings = await buildSettings(ctx, values, files);
    const result = await runDrift({
      ...files,
      referenceName: reference,
      currentName: current,
      settings,
      signal: ctx.signal,
      onProgress: values.quiet ? undefined : progressPrinter(ctx),
    });
    if (out && target) {
      await writeFile(target, render(result, format)).catch((e: unknown) => {
        throw fsError(e, 'write the report to', out);
      });
      if (!values.quiet)
        ctx.err(`Wrote ${out}. ${result.dataset.drifted ? 'Dataset drift detected.' : 'No dataset drift.'}`);
    } else if (ctx.json) {
      ctx.print(result, () => ''); // one line when piped, like every other command's --json
    } else {
      ctx.out(render(result, format));
    }
    const failing = result.dataset.drifted || result.staleness?.stale === true || result.dataset.notCompared.length > 0;
    if (values['fail-on-drift'] && result.dataset.notCompared.length > 0)
      ctx.err(
        `--fail-on-drift: ${notComparedSentence(result)} ${notComparedReasons(result)}. Failing: nothing shows they did not drift.`,
      );
    return values['fail-on-drift'] && failing ? 3 : 0;
  },
};

/**
 * `--out` is checked before the comparison, which can take minutes: it must not be one of the data files
 * (the report would overwrite it), a folder, or a path in a folder that does not exist. An earlier report
 * there is overwritten, as a CI job rewriting it on every run expects.
 */
async function checkOut(
  out: string,
  target: string,
  files: { reference: string; current: string },
  format: Format,
): Promise<void> {
  const problem = await outputPathProblem(target, [files.reference, files.current]);
  const example = `drift.${format === 'table' ? 'txt' : format}`;
  const where = `Cannot write the report to ${out}`;
  switch (problem?.kind) {
    case 'input':
      throw new UsageError(
        `--out ${out} is the ${problem.index === 0 ? 'reference' : 'current'} data file: writing the report there would overwrite the data.`,
        'drift',
        `Write the report to another file, e.g. --out ${example}.`,
      );
    case 'folder':
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${where}: it is a folder, not a file.`,
        `Give a file path, e.g. --out ${path.join(out, example)}.`,
      );
    case 'no-folder':
    case 'folder-is-file':
      throw new MlopsError(
        problem.kind === 'no-folder' ? 'NOT_FOUND' : 'INVALID_ARGUMENT',
        `${where}: ${problem.kind === 'no-folder' ? `the folder ${path.dirname(out)} does not exist` : `${path.dirname(out)} is a file, not a folder`}.`,
        'Create the folder first, or give a path in an existing folder.',
      );
  }
}

function render(r: DriftResult, format: Format): string {
  if (format === 'json') return JSON.stringify(r, null, 2);
  if (format === 'md') return renderMarkdown(r);
  if (format === 'html') return renderHtml(r);
  return renderText(r);
}

async function buildSettings(
  ctx: CommandContext,
  values: OptionValues,
  files: { reference: string; current: string },
): Promise<DriftSettings> {
  let s = defaultSettings();
  const configFile = values.config as string | undefined;
  if (configFile) {
    const abs = path.resolve(ctx.cwd, configFile);
    const section = driftSection(await readProjectFile(abs, configFile));
    // Named explicitly, so a file without the section is a mistake, not "use the defaults".
    if (section === undefined)
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${configFile} has no "drift:" section.`,
        'Put the drift settings under a top-level "drift:" key.',
      );
    s = driftSettingsFor(section, configFile, path.dirname(abs), files);
  }
  // A flag value that does not parse is a usage error (exit 2), as in every other command; a bad config file
  // above is a failed operation (exit 1).
  return asUsage(() => applyFlags(s, values));
}

function applyFlags(s: DriftSettings, values: OptionValues): DriftSettings {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);
  // A flag names a column of these files: one that names no column is an error (compare.ts).
  const feature = (name: string, flag: string) =>
    (s.features[name] = { ...s.features[name], setBy: `${flag} ${name}`, workspaceDefault: false });
  if (values.columns !== undefined) s.columns = parseColumnsFlag(String(values.columns));
  if (values.timestamp !== undefined) {
    s.timestamp = String(values.timestamp);
    s.timestampSetBy = '--timestamp';
    s.timestampDefault = false;
  }
  if (values.window !== undefined) s.window = parseWindow(String(values.window), '--window');
  if (values.ttl !== undefined) s.ttl = parseTtl(String(values.ttl), '--ttl');
  if (values['drift-share'] !== undefined) s.driftShare = parseDriftShare(values['drift-share'], '--drift-share');
  if (values.bins !== undefined) s.bins = boundedInt(values.bins, '--bins', LIMITS.bins);
  for (const [k, v] of Object.entries(parseKeyValues('method', list(values.method))))
    feature(k, '--method').method = parseMethod(v, `--method ${k}`);
  for (const [k, v] of Object.entries(parseKeyValues('type', list(values.type))))
    feature(k, '--type').type = parseColumnType(v, `--type ${k}`);
  for (const [k, v] of Object.entries(parseKeyValues('threshold', list(values.threshold)))) {
    if (DRIFT_METHODS.includes(k as DriftMethod))
      s.thresholds[k as DriftMethod] = parseThreshold(v, `--threshold ${k}`);
    else feature(k, '--threshold').threshold = parseThreshold(v, `--threshold ${k}`);
  }
  for (const k of list(values.ignore)) feature(k, '--ignore').ignore = true;
  return s;
}

/** `--columns a,b`: an empty list (`--columns ''`, `--columns ,`) would compare nothing and pass any gate. */
function parseColumnsFlag(text: string): string[] {
  const names = text
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (names.length === 0)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `--columns names no column (got "${text}").`,
      'List the columns to compare, e.g. --columns age,income, or leave --columns out to compare all of them.',
    );
  return names;
}

/** Progress on stderr for large files: a line every ~2 s per file (a live line on a terminal). */
function progressPrinter(ctx: CommandContext): (e: DriftProgress) => void {
  const last = new Map<string, number>();
  return (e) => {
    if (e.phase !== 'read' || e.total < PROGRESS_BYTES) return;
    const now = Date.now();
    const done = e.bytes >= e.total;
    if (!done && now - (last.get(e.which) ?? 0) < 2000) return;
    last.set(e.which, now);
    ctx.err(
      `reading ${e.which} ${e.file}: ${Math.floor((e.bytes / e.total) * 100)}% (${formatBytes(e.bytes)} of ${formatBytes(e.total)})`,
    );
  };
}
