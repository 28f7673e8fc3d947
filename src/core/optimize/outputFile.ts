import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { MlopsError } from '../errors';

/**
 * Checks `--out` before anything is measured (measuring takes seconds to minutes, and a path that cannot be
 * written should not cost them): a folder, a missing parent folder, the source model itself, or an existing
 * file without `force` are refused with what to do. Returns the absolute path to write.
 */
export function checkOutputFile(out: string, cwd: string, sourcePath: string, force: boolean): string {
  const target = path.resolve(cwd, out);
  const folder = path.dirname(target);
  const folderStat = statSync(folder, { throwIfNoEntry: false });
  if (!folderStat?.isDirectory())
    throw new MlopsError(
      'NOT_FOUND',
      `--out ${out}: the folder ${folder} does not exist.`,
      'Create the folder first, or give a path in an existing one.',
    );
  const st = statSync(target, { throwIfNoEntry: false });
  if (!st) return target;
  if (st.isDirectory())
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `--out ${out} is a folder.`,
      `Give a file path, e.g. --out ${path.join(out, 'model.int8.onnx')}.`,
    );
  if (sameFile(target, sourcePath))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `--out ${out} is the model being quantized: writing there would replace it.`,
      'Give another file name, e.g. model.int8.onnx.',
    );
  if (!force)
    throw new MlopsError('ALREADY_EXISTS', `--out ${out} already exists.`, 'Choose another path, or add --force.');
  return target;
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
