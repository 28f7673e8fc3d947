import { MlopsError } from '../../errors';
import type { SourcePosition } from '../types';

/** "data.csv, line 12, column 7: <what>" — every reader error names the file and the place. */
export function where(file: string, pos: SourcePosition = {}): string {
  const parts = [file];
  if (pos.line !== undefined) parts.push(`line ${pos.line}`);
  if (pos.column !== undefined) parts.push(`column ${pos.column}`);
  if (pos.row !== undefined && pos.line === undefined) parts.push(`row ${pos.row + 1}`);
  return parts.join(', ');
}

export function dataError(file: string, pos: SourcePosition, what: string, hint?: string): MlopsError {
  return new MlopsError('INVALID_ARGUMENT', `${where(file, pos)}: ${what}`, hint);
}

/** 1-based character column of byte `at` in a line starting at byte `lineStart` (UTF-8 aware). */
export function charColumn(bytes: Uint8Array, lineStart: number, at: number): number {
  let col = 1;
  for (let i = lineStart; i < at && i < bytes.length; i++) if ((bytes[i] & 0xc0) !== 0x80) col++;
  return col;
}
