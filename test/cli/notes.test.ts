import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { osUser } from '../../src/store/index.js';
import { expectRefused, fixture, runCliAsync, tempDir } from '../helpers.js';

interface NoteJson {
  text: string;
  author: string;
  time: number;
}

describe('the lab notebook: train --note, runs note, runs show, runs list --notes', () => {
  const dir = tempDir('hyperplane-notes-');
  const env = { HYPERPLANE_STORE: `sqlite:${join(dir, 'hyperplane.db')}` };
  const cli = (args: string[]) => runCliAsync(args, 120_000, { cwd: dir, env });
  const author = `cli:${osUser()}`;
  const long = `then: ${'tune the regularisation '.repeat(5)}`.trim();
  let runId = '';
  let bare = '';

  beforeAll(async () => {
    const train = await cli(['train', fixture('breast_cancer.csv'), '--target', 'diagnosis', '--learner', 'logistic', '--no-snapshot', '--note', 'why: a linear baseline', '--json']);
    expect(train.code, train.stderr).toBe(0);
    runId = (JSON.parse(train.stdout) as { run: string }).run;
    const other = await cli(['train', fixture('breast_cancer.csv'), '--target', 'diagnosis', '--learner', 'logistic', '--no-snapshot', '--run-name', 'bare', '--json']);
    expect(other.code, other.stderr).toBe(0);
    bare = (JSON.parse(other.stdout) as { run: string }).run;
    const noted = await cli(['runs', 'note', runId.slice(0, 8), long]);
    expect(noted.code, noted.stderr).toBe(0);
    expect(noted.stdout).toBe(`noted on run ${runId} by ${author}\n`);
  }, 240_000);

  it('shows the notes in order, with time and author, as text and as JSON', async () => {
    const json = await cli(['runs', 'show', runId, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const notes = (JSON.parse(json.stdout) as { notes: NoteJson[] }).notes;
    expect(notes.map((n) => [n.text, n.author])).toEqual([
      ['why: a linear baseline', author],
      [long, author],
    ]);
    expect(notes[0]!.time).toBeLessThanOrEqual(notes[1]!.time);
    const text = await cli(['runs', 'show', runId]);
    expect(text.code, text.stderr).toBe(0);
    const stamp = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
    expect(text.stdout).toContain(`notes:\n  ${stamp(notes[0]!.time)} UTC  ${author}\n    why: a linear baseline\n  ${stamp(notes[1]!.time)} UTC  ${author}\n    ${long}`);
  });

  it('lists the latest note per run, cut to a readable width; --json carries it whole', async () => {
    const text = await cli(['runs', 'list', '--notes']);
    expect(text.code, text.stderr).toBe(0);
    const [header, ...rows] = text.stdout.trimEnd().split('\n');
    expect(header).toMatch(/latest note$/);
    const row = rows.find((r) => r.startsWith(runId.slice(0, 8)))!;
    expect(row.trimEnd().endsWith(`${long.slice(0, 59).trimEnd()}…`)).toBe(true);
    expect(row).not.toContain(long);
    // Without --notes, no note column.
    expect((await cli(['runs', 'list'])).stdout).not.toContain('latest note');

    const json = await cli(['runs', 'list', '--notes', '--json']);
    const runs = (JSON.parse(json.stdout) as { runs: { id: string; latestNote: NoteJson | null }[] }).runs;
    expect(runs.find((r) => r.id === runId)?.latestNote).toMatchObject({ text: long, author });
    expect(runs.find((r) => r.id === bare)?.latestNote).toBeNull();
  });

  it('refuses an empty or too long note, and a run that does not exist, with exit 2', async () => {
    await expectRefused(['runs', 'note', 'f'.repeat(32), 'text'], new RegExp(`no run '${'f'.repeat(32)}'`));
    await expectRefused(['runs', 'note', 'f'.repeat(32), ' \t '], /a note needs some text: it is empty or only whitespace/);
    await expectRefused(['runs', 'note', 'f'.repeat(32), 'x'.repeat(10_001)], /a note is at most 10,000 characters; this one has 10,001/);
    // Before any data is read, naming the flag.
    await expectRefused(['train', fixture('breast_cancer.csv'), '--target', 'diagnosis', '--note', '  '], /--note: a note needs some text/);
    await expectRefused(['train', fixture('breast_cancer.csv'), '--target', 'diagnosis', '--note', 'why', '--no-track'], /--note is kept with the run in the store, and --no-track records no run/);
    // Nothing was added by the refusals.
    const show = await cli(['runs', 'show', runId, '--json']);
    expect((JSON.parse(show.stdout) as { notes: NoteJson[] }).notes).toHaveLength(2);
  });
});
