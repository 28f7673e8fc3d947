import { stat } from 'node:fs/promises';
import path from 'node:path';

/** What stands at a path a command is about to write a file to (`--out`). */
export type OutputProblem =
  /** The path is `inputs[index]` (the same file, also through a link): writing would replace the input. */
  | { kind: 'input'; index: number }
  | { kind: 'folder' }
  /** A file is there already (the caller decides whether to overwrite it). */
  | { kind: 'exists' }
  | { kind: 'no-folder' }
  /** The path's folder is a file. */
  | { kind: 'folder-is-file' };

/**
 * Checks an output path before long work (a drift comparison, a quantization run), so a path that cannot
 * or must not be written is refused before the work, not after it. Undefined: nothing is in the way.
 * Each command words the problem itself.
 */
export async function outputPathProblem(target: string, inputs: string[]): Promise<OutputProblem | undefined> {
  const at = await stat(target).catch(() => undefined);
  for (const [index, input] of inputs.entries()) {
    if (path.resolve(input) === target) return { kind: 'input', index };
    const other = at && (await stat(input).catch(() => undefined));
    if (at && other && at.dev === other.dev && at.ino === other.ino) return { kind: 'input', index };
  }
  if (at) return at.isDirectory() ? { kind: 'folder' } : { kind: 'exists' };
  const folder = await stat(path.dirname(target)).catch(() => undefined);
  if (!folder) return { kind: 'no-folder' };
  return folder.isDirectory() ? undefined : { kind: 'folder-is-file' };
}
