import { spawnSync } from 'node:child_process';
import type { SqlStore } from '../../../src/store/index.js';
import type { StoreSpot } from '../harness.js';

/** The fresh store of the test being run (set by the suite's beforeEach). */
export interface SuiteContext {
  store: SqlStore;
  spot: StoreSpot;
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The pid of a process that has exited and been reaped: dead for certain. */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}

/** Deterministic pseudo-random numbers in [0, 1). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
