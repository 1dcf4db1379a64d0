import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { fixture, runCliAsync, tempDir } from '../helpers.js';

/** A project folder with its own store and a copy of penguins (a small, fast logistic regression). */
function project(): { dir: string; data: string; cli: (...args: string[]) => ReturnType<typeof runCliAsync>; store: string } {
  const dir = tempDir('hyperplane-snapshot-');
  const data = join(dir, 'penguins.json');
  copyFileSync(fixture('penguins.json'), data);
  const store = `sqlite:${join(dir, '.hyperplane', 'hyperplane.db')}`;
  return { dir, data, store, cli: (...args: string[]) => runCliAsync(args, 60_000, { cwd: dir, env: { HYPERPLANE_STORE: store } }) };
}

const trainArgs = ['train', 'penguins.json', '--target', 'Species', '--learner', 'logistic', '--json'];

async function trained(p: ReturnType<typeof project>, ...flags: string[]): Promise<{ run: string; stderr: string }> {
  const r = await p.cli(...trainArgs, ...flags);
  expect(r.code, r.stderr).toBe(0);
  return { run: (JSON.parse(r.stdout) as { run: string }).run, stderr: r.stderr };
}

async function runRecord(p: ReturnType<typeof project>, id: string) {
  const store = await openStore({ uri: p.store });
  try {
    return (await store.tracking.getRun(id))!;
  } finally {
    await store.close();
  }
}

const dataSha = async (p: ReturnType<typeof project>, id: string): Promise<string | undefined> => (await runRecord(p, id)).artifacts.find((a) => a.name === 'data')?.sha256;

// Each test has a project folder and store of its own: they run side by side.
describe.concurrent('train keeps a snapshot of its data; reproduce trains from it when the source is gone or changed', () => {
  it('reproduces a run after its source file was deleted, with identical metrics and model', async () => {
    const p = project();
    const { run } = await trained(p);
    expect(await dataSha(p, run)).toMatch(/^[0-9a-f]{64}$/);
    rmSync(p.data);
    const r = await p.cli('reproduce', run);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`the source ${p.data} is gone since the run; training from the run's snapshot (sha256 ${(await dataSha(p, run))!.slice(0, 12)}, 344 rows)`);
    expect(r.stdout).toMatch(/every metric and the model are identical \(new run [0-9a-f]{32}\)/);
    expect(r.stdout).not.toContain('DIFF');
  });

  it('reproduces a run after its source file changed, from the snapshot', async () => {
    const p = project();
    const { run } = await trained(p);
    const rows = JSON.parse(readFileSync(p.data, 'utf8')) as unknown[];
    writeFileSync(p.data, JSON.stringify(rows.slice(0, 300)));
    const r = await p.cli('reproduce', run, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { identical: boolean; fromSnapshot: string[]; model: { match: boolean } };
    expect(out.identical).toBe(true);
    expect(out.model.match).toBe(true);
    expect(out.fromSnapshot[0]).toMatch(/penguins\.json changed since the run; training from the run's snapshot/);
  });

  it('without a snapshot, refuses as before and says how to keep one', async () => {
    const p = project();
    const { run } = await trained(p, '--no-snapshot');
    expect(await dataSha(p, run)).toBeUndefined();
    rmSync(p.data);
    const r = await p.cli('reproduce', run);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/kept no snapshot of its train data to train from instead \(`hyperplane train --snapshot` keeps one\)/);
  });

  it('stores one blob for two trainings on the same data', async () => {
    const p = project();
    const a = await trained(p);
    const b = await trained(p, '--seed', '1');
    const sha = await dataSha(p, a.run);
    expect(sha).toBeDefined();
    expect(await dataSha(p, b.run)).toBe(sha);
    const store = await openStore({ uri: p.store });
    try {
      expect((await store.artifacts.list()).filter((x) => x.sha256 === sha)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('keeps no snapshot by default above the size limit, and says why', async () => {
    const p = project();
    const { run, stderr } = await trained(p, '--snapshot-max-mb', '0.001');
    expect(stderr).toMatch(/note: no snapshot of the train data: it is \d+\.\d KiB as read, above the 1\.0 KiB limit for a default snapshot \(train --snapshot keeps one/);
    const record = await runRecord(p, run);
    expect(record.artifacts.map((a) => a.name)).not.toContain('data');
    expect(record.warnings.map((w) => w.message).join('\n')).toMatch(/no snapshot of the train data/);
    // --snapshot keeps one whatever the size.
    expect(await dataSha(p, (await trained(p, '--snapshot-max-mb', '0.001', '--snapshot')).run)).toBeDefined();
  });

  it('runs show lists the snapshot with its size', async () => {
    const p = project();
    const { run } = await trained(p);
    const r = await p.cli('runs', 'show', run);
    expect(r.stdout).toMatch(/\n {2}data +sha256 [0-9a-f]{64} {2}\(\d+\.\d KiB\)/);
  });

  it('gc keeps the snapshot while its run exists and frees it once the run is deleted', async () => {
    const p = project();
    const { run } = await trained(p);
    const sha = (await dataSha(p, run))!;
    const blob = async (): Promise<boolean> => {
      const store = await openStore({ uri: p.store });
      try {
        return await store.artifacts.has(sha);
      } finally {
        await store.close();
      }
    };
    expect((await p.cli('gc', '--min-age', '0')).code).toBe(0);
    expect(await blob()).toBe(true);
    expect((await p.cli('runs', 'delete', run, '--yes')).code).toBe(0);
    const gc = await p.cli('gc', '--min-age', '0');
    expect(gc.code, gc.stderr).toBe(0);
    expect(await blob()).toBe(false);
    expect(existsSync(p.data)).toBe(true);
  });
});
