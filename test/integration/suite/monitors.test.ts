import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/extension/ids';
import { mlops } from '../helpers/cli';
import { WORKSPACE } from '../helpers/env';
import { writeModel } from '../helpers/fixtures';
import { waitFor } from '../../helpers/wait';

const YAML = path.join(WORKSPACE, 'mlops.yaml');
const DATA = path.join(WORKSPACE, 'monitor-data');

/** Four numeric features a..d on a fixed grid, moved by `shift`: shift 0 vs 3 drifts on every feature. */
function csv(rows: number, shift: number): string {
  const lines = ['a,b,c,d'];
  for (let i = 0; i < rows; i++) {
    const v = ((i * 37) % 100) / 50 - 1 + shift;
    lines.push([v, -v, v / 2, v * 0.3 + 0.1].map((x) => x.toFixed(3)).join(','));
  }
  return lines.join('\n') + '\n';
}

const yamlDiagnostics = () =>
  vscode.languages.getDiagnostics(vscode.Uri.file(YAML)).filter((d) => d.source === 'MLOps');

/** mlops.yaml in the Problems view: config problems as the file changes, breached checks after Run Monitors. */
describe('monitors: Problems entries for mlops.yaml', () => {
  after(() => {
    rmSync(YAML, { force: true });
    rmSync(DATA, { recursive: true, force: true });
  });

  it('an unknown key in monitors: is an Error at its line', async () => {
    writeFileSync(
      YAML,
      'monitors:\n  - model: models:/monfraud@production\n    reference: monitor-data/ref.csv\n    current: monitor-data/cur.csv\n    checks:\n      drift: { critical: 0.5 }\n      stale: { colum: ts, critical: 1d }\n',
    );
    const d = await waitFor('a diagnostic on mlops.yaml', () => yamlDiagnostics()[0], 15_000);
    assert.match(d.message, /colum is not a known key/);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.range.start.line, 6, 'line 7 (0-based 6): the stale check');
    assert.ok(d.range.end.character > d.range.start.character + 1, 'the entry spans the rest of the line');
  });

  it('Run Monitors puts an Error on the drift check line of a drifted monitor and reports Critical', async () => {
    mkdirSync(DATA, { recursive: true });
    writeFileSync(path.join(DATA, 'ref.csv'), csv(200, 0));
    writeFileSync(path.join(DATA, 'cur.csv'), csv(200, 3));
    await mlops(['push', writeModel('monfraud', 41), '--model', 'monfraud', '--alias', 'production']);
    writeFileSync(
      YAML,
      'monitors:\n  - model: models:/monfraud@production\n    reference: monitor-data/ref.csv\n    current: monitor-data/cur.csv\n    checks:\n      missing: { critical: 0.5 }\n      drift: { warning: 0.2, critical: 0.5 }\n',
    );
    await waitFor('the config problem to clear', () => yamlDiagnostics().length === 0, 15_000);
    const res = (await vscode.commands.executeCommand(COMMANDS.runMonitors)) as { state?: string } | undefined;
    assert.equal(res?.state, 'critical');
    const ds = yamlDiagnostics();
    assert.equal(ds.length, 1, ds.map((x) => x.message).join(' | '));
    assert.equal(ds[0].severity, vscode.DiagnosticSeverity.Error);
    assert.equal(ds[0].range.start.line, 6, 'the drift check (line 7)');
    assert.match(ds[0].message, /drift critical/);
  });
});
