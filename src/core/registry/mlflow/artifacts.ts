import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { MlopsError } from '../../errors';
import { fsError, isNodeError } from '../../util/fsx';
import { sha256File, SHA256_RE } from '../../util/hash';
import type { ModelVersion, OperationOptions } from '../types';
import type { MlflowTransport } from './transport';

/**
 * Model files through MLflow's artifact proxy: `mlflow-artifacts:/X` is served at
 * `<base>/api/2.0/mlflow-artifacts/artifacts/X`. Every download is hashed on the way and compared with
 * the sha256 recorded at push time; only a matching file is renamed into place.
 */
export function artifactPathOf(uri: string): string | null {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/i.exec(uri.trim());
  return m ? m[1].replace(/\/+$/, '') : null;
}

/** Where a version's ONNX file is on the proxy and the sha256 it must have, or why we cannot fetch it. */
export function versionFilePath(server: string, v: ModelVersion): { file: string; sha256: string } {
  const what = `model "${v.model}" version ${v.version}`;
  const sha256 = v.artifact.sha256;
  if (sha256 === null || !SHA256_RE.test(sha256) || !v.artifact.fileName) {
    throw new MlopsError(
      'INVALID_STATE',
      `${capitalize(what)} on ${server} was not registered by MLOps Studio (it has no mlops.sha256 / mlops.file_name tags), so its file cannot be verified.`,
      'Push the ONNX file with `mlops push` (or the extension) to register a verifiable version.',
    );
  }
  const dir = artifactPathOf(v.artifact.source);
  if (dir === null) {
    throw new MlopsError(
      'INVALID_STATE',
      `The source of ${what} on ${server} is "${v.artifact.source}", which is not served by the artifact proxy (mlflow-artifacts:/…).`,
      'Start the server with artifact serving on (the default; not --no-serve-artifacts) and push the model again.',
    );
  }
  return { file: `${dir}/${v.artifact.fileName}`, sha256 };
}

/** Streams a remote file through sha256 without keeping it. */
export async function hashRemote(
  t: MlflowTransport,
  file: string,
  opts: OperationOptions = {},
  stage = 'Verifying',
): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  await t.downloadArtifact(
    file,
    (chunk, total) => {
      h.update(chunk);
      size += chunk.length;
      opts.onProgress?.({ stage, done: size, total });
    },
    opts.signal,
  );
  return { sha256: h.digest('hex'), size };
}

export function corruptRemote(server: string, what: string, expected: string, got: string): MlopsError {
  return new MlopsError(
    'CORRUPT',
    `The file ${server} holds for ${what} does not match its recorded sha256 (got ${got.slice(0, 12)}…, expected ${expected.slice(0, 12)}…).`,
    'The artifact on the server was changed or damaged: push the original model file again as a new version.',
  );
}

/**
 * Downloads into `<dir>/<sha256>` (a content-addressed cache) through a temporary file; reuses a cached
 * copy after re-hashing it, so the returned path always holds the verified bytes.
 */
export async function cachedVerified(
  t: MlflowTransport,
  dir: string,
  file: string,
  sha256: string,
  what: string,
  opts: OperationOptions = {},
): Promise<string> {
  const dest = path.join(dir, sha256);
  try {
    const got = await sha256File(dest, opts.signal);
    if (got.sha256 === sha256) return dest;
  } catch (e) {
    if (e instanceof MlopsError) throw e;
    if (!isNodeError(e, 'ENOENT')) throw fsError(e, 'read the download cache at', dest);
  }
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (e) {
    throw fsError(e, 'create the download cache', dir);
  }
  const tmp = `${dest}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
  const h = createHash('sha256');
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(tmp, 'w');
    const out = fh;
    let done = 0;
    await t.downloadArtifact(
      file,
      async (chunk, total) => {
        h.update(chunk);
        await out.write(chunk);
        done += chunk.length;
        opts.onProgress?.({ stage: 'Downloading', done, total });
      },
      opts.signal,
    );
    await fh.sync();
    await fh.close();
    fh = undefined;
    const got = h.digest('hex');
    if (got !== sha256) throw corruptRemote(t.server, what, sha256, got);
    await fsp.rename(tmp, dest);
    return dest;
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    if (e instanceof MlopsError) throw e;
    throw fsError(e, 'write the download cache at', dir);
  }
}

/** Copies a cached file to `dest` through a temporary file, checked again: dest never holds other bytes. */
export async function copyVerified(
  src: string,
  dest: string,
  sha256: string,
  what: string,
  server: string,
): Promise<void> {
  const tmp = `${dest}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fsp.copyFile(src, tmp);
    const got = await sha256File(tmp);
    if (got.sha256 !== sha256) throw corruptRemote(server, what, sha256, got.sha256);
    await fsp.rename(tmp, dest);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    if (e instanceof MlopsError) throw e;
    throw fsError(e, 'write', dest);
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
