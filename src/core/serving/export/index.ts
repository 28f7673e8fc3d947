import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MlopsError } from '../../errors';
import { fsError, isNodeError } from '../../util/fsx';
import type { LocalModel } from '../modelSource';
import { kserveManifest } from './kserve';
import { checkTritonName, tritonConfig, type TritonOptions } from './triton';

export { tritonConfig, batchable, checkTritonName, type TritonOptions } from './triton';
export { kserveManifest, kubernetesName, STORAGE_URI_PLACEHOLDER } from './kserve';

export type ExportFormat = 'triton' | 'kserve';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['triton', 'kserve'];

export interface ExportOptions extends TritonOptions {
  format: ExportFormat;
  outDir: string;
  /** Name in the repository and URLs (default: the registry's model name). */
  name?: string;
  /** Replace the contents of a non-empty outDir. */
  force?: boolean;
}

export interface ExportResult {
  name: string;
  /** Triton's version folder: the registry version (Triton counts from 1, so a bare file is 1). */
  version: number;
  /** Files written, relative to outDir, in a stable order. */
  files: string[];
}

/**
 * Scale-out: the model as an existing serving engine that speaks the same protocol wants it.
 * triton: `<outDir>/<name>/config.pbtxt` + `<outDir>/<name>/<version>/model.onnx` (a model repository).
 * kserve: `<outDir>/inferenceservice.yaml` + that repository under `<outDir>/repository/`.
 */
export async function exportModel(model: LocalModel, o: ExportOptions): Promise<ExportResult> {
  const name = checkTritonName(o.name ?? model.served.model);
  const version = Math.max(1, model.served.version);
  // Everything that can be refused is checked before anything is written.
  const config = tritonConfig(name, model.signature, o, model.label);
  await prepareOutDir(o.outDir, o.force === true);
  const repo = o.format === 'kserve' ? 'repository' : '';
  const files: string[] = [];
  const write = async (rel: string, content: string | { copyFrom: string }) => {
    const file = path.join(o.outDir, rel);
    try {
      await mkdir(path.dirname(file), { recursive: true });
      if (typeof content === 'string') await writeFile(file, content);
      else await copyFile(content.copyFrom, file);
    } catch (e) {
      throw fsError(e, 'write', file);
    }
    files.push(rel.split(path.sep).join('/'));
  };
  if (o.format === 'kserve')
    await write('inferenceservice.yaml', kserveManifest({ name, source: model.label, repositoryDir: repo }));
  await write(path.join(repo, name, 'config.pbtxt'), config);
  await write(path.join(repo, name, String(version), 'model.onnx'), { copyFrom: model.modelPath });
  return { name, version, files };
}

async function prepareOutDir(dir: string, force: boolean): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch (e) {
    if (isNodeError(e, 'ENOTDIR'))
      throw new MlopsError(
        'ALREADY_EXISTS',
        `${dir} is a file, not a folder.`,
        'Choose another output folder with -o.',
      );
    if (!isNodeError(e, 'ENOENT')) throw fsError(e, 'read', dir);
  }
  if (entries.length > 0 && !force)
    throw new MlopsError(
      'ALREADY_EXISTS',
      `The output folder ${dir} is not empty.`,
      'Choose an empty or new folder with -o, or pass --force to replace its contents.',
    );
  if (force) for (const e of entries) await rm(path.join(dir, e), { recursive: true, force: true });
  await mkdir(dir, { recursive: true }).catch((e: unknown) => {
    throw fsError(e, 'create', dir);
  });
}
