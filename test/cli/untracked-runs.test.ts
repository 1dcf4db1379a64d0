import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimRunFolder } from '../../src/cli/run-folder.js';
import { fixture, ROOT, tempDir } from '../helpers.js';

/** `hyperplane train … --no-track` in `cwd`, not waited for: several run at once. */
function trainAsync(cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'train', fixture('penguins.json'), '--target', 'Species', '--learner', 'logistic', '--no-track'], {
      cwd,
      env: { ...process.env, HYPERPLANE_STORE: '' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('train --no-track writes each run to its own folder', () => {
  it('four trainings started at once leave four folders, each with its model', async () => {
    const dir = tempDir('hyperplane-untracked-');
    const results = await Promise.all([0, 1, 2, 3].map(() => trainAsync(dir)));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const runs = readdirSync(join(dir, '.hyperplane', 'runs'));
    expect(runs).toHaveLength(4);
    for (const run of runs) expect(existsSync(join(dir, '.hyperplane', 'runs', run, 'model.hpkg')), run).toBe(true);
  });

  it('claims a distinct folder for each caller within the same second', () => {
    const parent = join(tempDir('hyperplane-claim-'), 'runs');
    const at = new Date(Date.UTC(2026, 11, 6, 7, 43, 22));
    const folders = [0, 1, 2, 3].map(() => claimRunFolder(parent, at, 'y'));
    expect(new Set(folders).size).toBe(4);
    expect(folders[0]).toBe(join(parent, '20261206-074322-y'));
    expect(folders.slice(1)).toEqual([2, 3, 4].map((n) => join(parent, `20261206-074322-y-${n}`)));
    for (const f of folders) expect(existsSync(f)).toBe(true);
  });
});
