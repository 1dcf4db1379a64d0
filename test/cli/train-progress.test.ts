import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { fixture, ROOT, tempDir } from '../helpers.js';

/** `train` with stderr and stdout piped (not a terminal), progress shown from the start. */
function startTrain(args: string[], cwd: string, store: string) {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'train', ...args], { cwd, env: { ...process.env, HYPERPLANE_STORE: store, HYPERPLANE_PROGRESS_AFTER_MS: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('train progress when stderr is not a terminal', () => {
  it('--timings: each phase on stderr, in the order they ran, adding up to the total; stdout unchanged', async () => {
    const dir = tempDir();
    const run = startTrain([fixture('breast_cancer.csv'), '--target', 'diagnosis', '--learner', 'logistic', '--timings', '--json', '--out', join(dir, 'out')], dir, `sqlite:${join(dir, 'store.db')}`);
    const { code } = await run.exited;
    expect(code, run.err()).toBe(0);
    expect(JSON.parse(run.out()).learner).toBe('logistic');
    const block = run.err().slice(run.err().indexOf('timings:\n'));
    const rows = [...block.matchAll(/^ {2}(.+?)\s+(\d+\.\d\d) s(?:\s+[\d.]+%)?\s+([\d,]+) MB$/gm)].map((m) => ({ phase: m[1]!.trim(), seconds: Number(m[2]), peakMb: Number(m[3]!.replaceAll(',', '')) }));
    expect(rows.map((r) => r.phase)).toEqual(['reading data', 'starting the run', 'target and split', 'fitting logistic', 'scoring the test rows', 'training-row metrics', 'train/test shift check', 'slices, baseline and diagnostics', 'importance (SHAP and permutation)', 'refit on every labelled row', 'monitoring reference and package', 'report, summary and package files', 'recording the run in the store', 'total']);
    // The process's peak resident size at each phase's end: a peak, so it never falls; the total's is the last phase's.
    const peaks = rows.map((r) => r.peakMb);
    expect(peaks[0]).toBeGreaterThan(10);
    for (let i = 1; i < peaks.length; i++) expect(peaks[i]).toBeGreaterThanOrEqual(peaks[i - 1]!);
    expect(peaks.at(-1)).toBe(peaks.at(-2));
    const total = rows.pop()!.seconds;
    expect(Math.abs(rows.reduce((s, r) => s + r.seconds, 0) - total)).toBeLessThanOrEqual(0.01 * rows.length);
  });

  it('writes plain progress lines on stderr; stdout holds only the --json result', async () => {
    const dir = tempDir();
    const store = `sqlite:${join(dir, 'store.db')}`;
    const run = startTrain([fixture('breast_cancer.csv'), '--target', 'diagnosis', '--learner', 'auto', '--time-budget', '20', '--json', '--no-track', '--out', join(dir, 'out')], dir, store);
    const { code } = await run.exited;
    expect(code, run.err()).toBe(0);
    const summary = JSON.parse(run.out());
    expect(summary.learner).toBeTypeOf('string');
    const lines = run.err().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^train: reading data, \d+\.\d s$/);
    expect(lines).toContainEqual(expect.stringMatching(/^train: auto: baseline 0\/\d+ candidates, \d+\.\d s$/));
    expect(lines).toContainEqual(expect.stringMatching(/^train: auto \d+\/\d+ candidates, \d+\.\d s$/));
    for (const l of lines) expect(l).toMatch(/^train: /);
    expect(run.err()).not.toMatch(/\r|\x1b|ETA 0s/);
    expect(lines.length).toBeLessThan(30);
  }, 60_000);

  it('Ctrl-C during training exits 130, saying nothing was saved and the run is marked killed, which it is', async () => {
    const dir = tempDir();
    const store = `sqlite:${join(dir, 'store.db')}`;
    const run = startTrain([fixture('breast_cancer.csv'), '--target', 'diagnosis', '--learner', 'auto', '--time-budget', '60'], dir, store);
    const until = Date.now() + 30_000;
    while (!/train: auto: /.test(run.err()) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(run.err()).toMatch(/train: auto: /);
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    expect(code, run.err()).toBe(130);
    expect(run.out()).toBe('');
    const m = /^interrupted: nothing was saved; run ([0-9a-f]+) is marked killed in the store$/m.exec(run.err());
    expect(m, run.err()).not.toBeNull();
    const s = await openStore({ uri: store, repair: false });
    try {
      expect((await s.tracking.getRun(m![1]!))!.status).toBe('killed');
    } finally {
      await s.close();
    }
    const runs = join(dir, '.hyperplane', 'runs');
    expect(existsSync(runs) ? readdirSync(runs) : []).toEqual([]);
  }, 60_000);

  it('Ctrl-C during an untracked training exits 130 and says nothing was saved', async () => {
    const dir = tempDir();
    const run = startTrain([fixture('breast_cancer.csv'), '--target', 'diagnosis', '--learner', 'auto', '--time-budget', '60', '--no-track'], dir, `sqlite:${join(dir, 'store.db')}`);
    const until = Date.now() + 30_000;
    while (!/train: auto: /.test(run.err()) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    expect(code, run.err()).toBe(130);
    expect(run.err()).toMatch(/^interrupted: nothing was saved$/m);
    expect(existsSync(join(dir, '.hyperplane', 'runs')) ? readdirSync(join(dir, '.hyperplane', 'runs')) : []).toEqual([]);
  }, 60_000);
});
