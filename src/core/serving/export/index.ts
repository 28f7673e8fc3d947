import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
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
  const repo = o.format === 'kserve' ? 'repository' : '';
  // What this export owns in outDir: a model repository holds many models, so only these are replaced.
  const owned = [path.join(repo, name), ...(o.format === 'kserve' ? ['inferenceservice.yaml'] : [])];
  await prepareOutDir(o.outDir, owned, o.force === true, [model.modelPath, process.cwd()]);
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

/**
 * Makes outDir ready for the `owned` entries (relative paths). Other entries stay: a Triton repository
 * gets a second model beside the first. An owned entry that exists is refused without `force` and replaced
 * with it, unless it holds something that must survive (the source model file, which for a registered
 * version sits in the registry's store, or the current folder): --force never deletes a registry.
 */
async function prepareOutDir(dir: string, owned: string[], force: boolean, keep: string[]): Promise<void> {
  const st = await stat(dir).catch((e: unknown) => {
    if (isNodeError(e, 'ENOENT')) return undefined;
    if (isNodeError(e, 'ENOTDIR')) return 'file' as const;
    throw fsError(e, 'read', dir);
  });
  if (st === 'file' || (st && !st.isDirectory()))
    throw new MlopsError(
      'ALREADY_EXISTS',
      st === 'file' ? `${dir} cannot be a folder: part of that path is a file.` : `${dir} is a file, not a folder.`,
      'Choose another output folder with -o.',
    );
  const present = st ? owned.filter((rel) => existsSync(path.join(dir, rel))) : [];
  if (present.length > 0 && !force)
    throw new MlopsError(
      'ALREADY_EXISTS',
      `${present.map((rel) => path.join(dir, rel)).join(' and ')} already exist${present.length > 1 ? '' : 's'}.`,
      'Choose another output folder or --name, or pass --force to replace them.',
    );
  for (const rel of present) {
    const target = path.resolve(dir, rel);
    const inside = keep.find((k) => isWithin(path.resolve(k), target));
    if (inside)
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `--force would delete ${target}, which holds ${inside}.`,
        'Export to a new folder with -o.',
      );
  }
  for (const rel of present) await rm(path.join(dir, rel), { recursive: true, force: true });
  await mkdir(dir, { recursive: true }).catch((e: unknown) => {
    throw fsError(e, 'create', dir);
  });
}

/** `child` is `parent` or inside it. */
function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
