import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus, hostname, platform, release } from 'node:os';
import type { GitState, RunEnvironment, RunOwner } from './tracking.js';

export function currentEnvironment(packages: Record<string, string> = {}): RunEnvironment {
  const cores = cpus();
  return {
    node: process.version,
    packages,
    os: `${platform()} ${release()} ${arch()}`,
    cpu: `${cores[0]?.model.trim() ?? 'unknown'} × ${cores.length}`,
  };
}

/** The commit checked out in `dir` and whether the work tree differs from it; undefined outside a git repository. */
export function gitState(dir: string): GitState | undefined {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git('rev-parse', 'HEAD').trim();
    return { commit, dirty: git('status', '--porcelain', '--untracked-files=no').trim() !== '' };
  } catch {
    return undefined;
  }
}

export const currentOwner = (): RunOwner => ({ pid: process.pid, hostname: hostname() });

/** Whether a process on this host is still running; a zombie (killed, not yet reaped) counts as gone. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch (e) {
    // No /proc (macOS): signal 0 succeeded, so it is running.
    return (e as NodeJS.ErrnoException).code !== 'ENOENT' || !existsProc();
  }
}

const existsProc = (): boolean => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
};
