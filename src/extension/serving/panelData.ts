import { promises as fsp } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage, MlopsError } from '../../core/errors';
import type { InferRequest } from '../../core/serving/types';
import type { TensorSpec } from '../../shared/servingProtocol';
import { loadServingCore } from './loadServingCore';

const DATA_EXTENSIONS = ['csv', 'tsv', 'jsonl', 'ndjson', 'parquet'];

function workspaceRoot(): string {
  const root = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  if (!root)
    throw new MlopsError('INVALID_STATE', 'A data file needs an open workspace folder.', 'Open the project folder.');
  return root;
}

/** The panel's data field as an absolute path inside the workspace (the contract already refused "..", absolute). */
export async function resolveDataFile(rel: string): Promise<string> {
  const root = workspaceRoot();
  const file = path.resolve(root, rel);
  if (path.relative(root, file).startsWith('..'))
    throw new MlopsError('INVALID_ARGUMENT', `${rel} is outside the workspace.`, 'Pick a file of the workspace.');
  if (!DATA_EXTENSIONS.includes(path.extname(file).slice(1).toLowerCase()))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${rel} is not a data file the panel reads.`,
      `Give a ${DATA_EXTENSIONS.map((e) => `.${e}`).join(', ')} file.`,
    );
  const stat = await fsp.stat(file).catch(() => undefined);
  if (!stat?.isFile())
    throw new MlopsError('NOT_FOUND', `${rel} does not exist in the workspace.`, 'Check the path, or use Browse….');
  return file;
}

/**
 * The requests the panel sends: rows of the data file (checked against the signature before anything is
 * sent), or examples generated from the signature with the form's example first.
 */
export async function panelRequests(
  inputs: TensorSpec[],
  example: InferRequest,
  data: string | null | undefined,
  count: number,
  signal?: AbortSignal,
): Promise<{ requests: InferRequest[]; description: string }> {
  const core = await loadServingCore();
  if (!data) {
    const requests = [example, ...Array.from({ length: Math.max(0, count - 1) }, () => core.exampleRequest(inputs, 1))];
    return { requests, description: `${requests.length} examples generated from the signature` };
  }
  const file = await resolveDataFile(data);
  return core.prepareRequests(inputs, { batch: 1, data: { file, displayName: data }, signal });
}

/**
 * panelRequests, with a data file's problem (missing, outside the workspace, malformed) returned as the
 * sentence to show next to the data field instead of thrown: nothing is sent then.
 */
export async function requestsOrDataProblem(
  inputs: TensorSpec[],
  example: InferRequest,
  data: string | null | undefined,
  count: number,
  signal?: AbortSignal,
): Promise<{ ok: true; requests: InferRequest[]; description: string } | { ok: false; problem: string }> {
  try {
    return { ok: true, ...(await panelRequests(inputs, example, data, count, signal)) };
  } catch (e) {
    if (!data) throw e;
    return { ok: false, problem: errorMessage(e) };
  }
}

/** Browse… for the data field: a data file of the workspace, as a workspace-relative path. */
export async function pickDataFile(): Promise<string | undefined> {
  const root = workspaceRoot();
  const picked = await vscode.window.showOpenDialog({
    defaultUri: vscode.Uri.file(root),
    canSelectMany: false,
    filters: { 'Data files': DATA_EXTENSIONS },
    title: 'Rows to send (CSV, JSONL or Parquet)',
  });
  if (!picked?.[0]) return undefined;
  const rel = path.relative(root, picked[0].fsPath);
  if (rel.startsWith('..') || path.isAbsolute(rel))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `${picked[0].fsPath} is outside the workspace.`,
      'Pick a file of the workspace.',
    );
  return rel.split(path.sep).join('/');
}
