import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE } from './segment-files.js';

/** A lock file with no pid in it yet is a taker between its open and its write, unless it is this old. */
const EMPTY_LOCK_STALE_MS = 10_000;

/**
 * Takes the ship lock of a journal directory: `ship.lock`, created with 'wx' (exclusive), holding the
 * taker's pid. A lock whose pid is dead is taken over. Returns false when a live process holds it.
 */
export function tryLock(dir: string, isAlive: (pid: number) => boolean, pid = process.pid): boolean {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, `${pid}\n`);
      } finally {
        closeSync(fd);
      }
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return false; // the directory is gone: shipped and removed by another shipper
      if (code !== 'EEXIST') throw e;
    }
    const holder = lockHolder(path);
    if (holder === 'gone') continue;
    // 0: an empty lock left long ago (kill(0) would signal our own group, so never ask isAlive about it).
    if (holder === 'young' || holder === pid || (holder !== 0 && isAlive(holder))) return false;
    // Stale. Two takers may race here: each moves the lock aside, atomically, and checks that what it
    // moved is the stale lock; one that moved a fresh lock (the other taker's) puts it back.
    const aside = `${path}.stale-${pid}-${Math.random().toString(36).slice(2)}`;
    try {
      renameSync(path, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const moved = lockHolder(aside);
    if (moved !== holder) {
      try {
        linkSync(aside, path);
      } catch {
        // Someone holds it again already; theirs stands.
      }
      unlinkSync(aside);
      return false;
    }
    unlinkSync(aside);
  }
  return false;
}

/** Removes the lock if this process holds it. */
export function releaseLock(dir: string, pid = process.pid): void {
  const path = join(dir, LOCK_FILE);
  if (lockHolder(path) !== pid) return;
  try {
    unlinkSync(path);
  } catch {
    // Removed with its directory.
  }
}

function lockHolder(path: string): number | 'gone' | 'young' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return 'gone';
  }
  const pid = Number.parseInt(text, 10);
  if (Number.isInteger(pid) && pid > 0) return pid;
  try {
    return Date.now() - statSync(path).mtimeMs > EMPTY_LOCK_STALE_MS ? 0 : 'young';
  } catch {
    return 'gone';
  }
}
