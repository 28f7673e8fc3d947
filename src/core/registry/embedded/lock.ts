import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import { MlopsError } from '../../errors';
import { fsError, isNodeError, pidAlive, sleep } from '../../util/fsx';

interface LockOwner {
  pid: number;
  host: string;
  token: string;
  time: number;
}

export interface LockOptions {
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** A lock older than this is stale even if its process seems alive (ms). */
  staleMs?: number;
}

export interface HeldLock {
  /** Throws if another process broke this lock (it was held past staleMs). */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
}

/**
 * An exclusive lock between processes on one registry, as a file created atomically with its content:
 * the owner is written to a private temporary file which is then hard-linked to the lock path (link
 * fails if the lock exists, so nobody ever sees an empty lock). A lock is stale when its process is gone
 * (same host) or it is older than staleMs; breaking it renames it away first, so two processes breaking
 * the same stale lock cannot both win.
 */
export async function acquireLock(lockPath: string, opts: LockOptions = {}): Promise<HeldLock> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const staleMs = opts.staleMs ?? 60_000;
  const me: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    token: randomBytes(8).toString('hex'),
    time: Date.now(),
  };
  const mine = `${lockPath}.${me.pid}-${me.token}`;
  const deadline = Date.now() + timeoutMs;
  let delay = 2;

  try {
    await fsp.writeFile(mine, JSON.stringify(me), { mode: 0o644 });
  } catch (e) {
    throw fsError(e, 'write to the registry at', lockPath.replace(/[/\\][^/\\]+$/, ''));
  }
  try {
    for (;;) {
      try {
        await fsp.link(mine, lockPath);
        return held(lockPath, me);
      } catch (e) {
        if (!isNodeError(e, 'EEXIST')) throw fsError(e, 'lock the registry at', lockPath);
      }
      const owner = await readOwner(lockPath);
      if (owner && isStale(owner, staleMs)) {
        await breakStale(lockPath, owner, me.token);
        continue;
      }
      if (Date.now() > deadline) {
        const who = owner
          ? `process ${owner.pid} on ${owner.host} since ${new Date(owner.time).toISOString()}`
          : 'another process';
        throw new MlopsError(
          'LOCKED',
          `The registry is locked by ${who}.`,
          `Try again in a moment; if that process is gone, delete ${lockPath}.`,
        );
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 50);
    }
  } finally {
    await fsp.rm(mine, { force: true });
  }
}

function held(lockPath: string, me: LockOwner): HeldLock {
  let released = false;
  return {
    async assertHeld() {
      const owner = await readOwner(lockPath);
      if (!owner || owner.token !== me.token) {
        throw new MlopsError(
          'LOCKED',
          'Another process took over the registry lock while this change was being written; the change was not saved.',
          'Try again.',
        );
      }
    },
    async release() {
      if (released) return;
      released = true;
      const owner = await readOwner(lockPath);
      if (owner?.token === me.token) await fsp.rm(lockPath, { force: true });
    },
  };
}

async function readOwner(lockPath: string): Promise<LockOwner | null> {
  let text: string;
  let mtime = Date.now();
  try {
    // Checked before reading: a folder cannot be read, and reading a FIFO would wait forever.
    const st = await fsp.stat(lockPath);
    if (!st.isFile()) {
      throw new MlopsError(
        'CORRUPT',
        `${lockPath} is ${st.isDirectory() ? 'a folder' : 'not a regular file'}, not the registry's lock file.`,
        'No MLOps Studio process makes it so: remove it, then try again.',
      );
    }
    mtime = st.mtimeMs;
    text = await fsp.readFile(lockPath, 'utf8');
  } catch (e) {
    if (isNodeError(e, 'ENOENT')) return null;
    if (e instanceof MlopsError) throw e;
    throw fsError(e, 'read the registry lock', lockPath);
  }
  try {
    const o = JSON.parse(text) as LockOwner;
    if (typeof o.pid === 'number' && typeof o.token === 'string') return o;
  } catch {
    // Written by something else: treat as anonymous, stale by age only.
  }
  return { pid: -1, host: '', token: `unknown-${mtime}`, time: mtime };
}

function isStale(owner: LockOwner, staleMs: number): boolean {
  if (Date.now() - owner.time > staleMs) return true;
  return owner.host === os.hostname() && owner.pid > 0 && !pidAlive(owner.pid);
}

async function breakStale(lockPath: string, stale: LockOwner, myToken: string): Promise<void> {
  const aside = `${lockPath}.stale-${myToken}`;
  try {
    await fsp.rename(lockPath, aside);
  } catch (e) {
    if (isNodeError(e, 'ENOENT')) return; // someone else broke it first
    throw e;
  }
  const taken = await readOwner(aside);
  if (taken && taken.token !== stale.token) {
    // We moved a fresh lock that replaced the stale one in between: put it back if the path is free.
    try {
      await fsp.link(aside, lockPath);
    } catch {
      // Another process got the path first; the fresh owner's assertHeld() will notice.
    }
  }
  await fsp.rm(aside, { force: true });
}

/** Removes leftovers of killed processes: private lock files and renamed stale locks. */
export async function cleanLockLeftovers(dir: string, lockName: string): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = new RegExp(`^${lockName.replace(/\./g, '\\.')}\\.(\\d+)-[0-9a-f]+$`).exec(n);
    if (m && !pidAlive(Number(m[1]))) await fsp.rm(`${dir}/${n}`, { force: true });
  }
}
