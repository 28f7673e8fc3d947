import type { Database } from 'sql.js';
import { MlopsError } from '../../errors';

/**
 * What makes a registry.sqlite file trustworthy before sql.js opens it. sql.js turns zero bytes into a
 * fresh empty database and opens a truncated file without complaint (it fails, or worse does not, only
 * when a query reaches a missing page), so an empty registry would look like one with no models, and
 * `mlops gc` would then delete every stored model file. A file that is not a whole SQLite database is
 * refused here, for every command, and never written over.
 */

const MAGIC = 'SQLite format 3\0';
const HEADER = 100;
const RESTORE =
  'Nothing was changed. Restore it from a backup; if there is none, move it away and push the models again.';

function corrupt(file: string, what: string): MlopsError {
  return new MlopsError('CORRUPT', `${file} ${what}.`, RESTORE);
}

/** Throws CORRUPT unless `bytes` hold a complete SQLite database (header and every page it counts). */
export function assertWholeDatabase(bytes: Uint8Array, file: string): void {
  if (bytes.length === 0) throw corrupt(file, 'is empty (0 bytes), so it is not a registry database');
  const magic = Buffer.from(bytes.subarray(0, MAGIC.length)).toString('latin1');
  if (magic !== MAGIC.slice(0, Math.min(bytes.length, MAGIC.length)))
    throw corrupt(file, 'is not a readable registry database (it is not a SQLite file)');
  if (bytes.length < HEADER) throw corrupt(file, `is truncated (${bytes.length} bytes, less than its header)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rawPageSize = view.getUint16(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0)
    throw corrupt(file, `has a damaged header (page size ${rawPageSize}), so it is not a readable registry database`);
  // The page count in the header is valid when the change counter matches "version-valid-for"
  // (SQLite's file format, section 1.3.7); every SQLite since 3.7.0 keeps it so.
  const pageCount = view.getUint32(28);
  const countValid = pageCount > 0 && view.getUint32(24) === view.getUint32(92);
  const expected = countValid ? pageCount * pageSize : Math.ceil(bytes.length / pageSize) * pageSize;
  if (bytes.length < expected)
    throw corrupt(file, `is truncated (${bytes.length} bytes of the ${expected} its header announces)`);
}

/** `PRAGMA quick_check` as a list of problems (empty when the database is sound). */
export function quickCheck(db: Database): string[] {
  try {
    const r = db.exec('PRAGMA quick_check');
    const lines = r.length ? r[0].values.map((v) => String(v[0])) : ['no answer'];
    return lines.length === 1 && lines[0] === 'ok' ? [] : lines;
  } catch (e) {
    return [e instanceof Error ? e.message : String(e)];
  }
}

/**
 * A failure raised while reading or writing rows. sql.js reports every SQLite failure as a plain Error,
 * so whether it means a damaged file is decided by asking SQLite (quick_check), not by its wording; a
 * value that is not valid JSON is a CorruptValue. Anything else passes through unchanged (a bug).
 */
export function registryFailure(e: unknown, db: Database | undefined, file: string): unknown {
  if (e instanceof MlopsError) return e;
  if (e instanceof CorruptValue)
    return new MlopsError(
      'CORRUPT',
      `${file} holds a damaged value: ${e.what}.`,
      'Run `mlops verify` to list every damaged row; restore the file from a backup, or delete that version.',
    );
  if (db && e instanceof Error && e.constructor === Error) {
    const problems = quickCheck(db);
    if (problems.length)
      return corrupt(
        file,
        `is damaged (SQLite: ${problems.slice(0, 3).join('; ')}), so it is not a readable registry database`,
      );
  }
  return e;
}

/** A stored value that does not parse (garbage written into a JSON column by hand or by a bad disk). */
export class CorruptValue extends Error {
  constructor(readonly what: string) {
    super(what);
  }
}
