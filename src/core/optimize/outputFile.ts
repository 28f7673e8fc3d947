import path from 'node:path';
import { MlopsError } from '../errors';
import { outputPathProblem } from '../util/outputPath';

/**
 * Checks `--out` before anything is measured (measuring takes seconds to minutes, and a path that cannot be
 * written should not cost them): a folder, a missing parent folder, the source model itself, or an existing
 * file without `force` are refused with what to do. Returns the absolute path to write.
 */
export async function checkOutputFile(out: string, cwd: string, sourcePath: string, force: boolean): Promise<string> {
  const target = path.resolve(cwd, out);
  const problem = await outputPathProblem(target, [sourcePath]);
  switch (problem?.kind) {
    case undefined:
      return target;
    case 'no-folder':
    case 'folder-is-file':
      throw new MlopsError(
        'NOT_FOUND',
        `--out ${out}: the folder ${path.dirname(target)} does not exist.`,
        'Create the folder first, or give a path in an existing one.',
      );
    case 'folder':
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `--out ${out} is a folder.`,
        `Give a file path, e.g. --out ${path.join(out, 'model.int8.onnx')}.`,
      );
    case 'input':
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `--out ${out} is the model being quantized: writing there would replace it.`,
        'Give another file name, e.g. model.int8.onnx.',
      );
    case 'exists':
      if (force) return target;
      throw new MlopsError('ALREADY_EXISTS', `--out ${out} already exists.`, 'Choose another path, or add --force.');
  }
}
