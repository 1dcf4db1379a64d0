import { appendFileSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalLookup } from '../../../src/store/prediction-log/find.js';
import { Journal } from '../../../src/store/prediction-log/journal.js';
import { tempDir } from '../../helpers.js';
import { prediction } from './fixtures.js';

const journals: Journal[] = [];
const journal = (root: string): Journal => {
  const j = new Journal({ dir: root, sync: { everyMs: 100 }, maxBytes: 1 << 30 });
  journals.push(j);
  return j;
};
afterEach(() => {
  for (const j of journals.splice(0)) j.close();
});

describe('JournalLookup', () => {
  it('finds committed records in open and closed segments of every journal under the root, and nothing else', async () => {
    const root = tempDir('hyperplane-find-');
    const one = journal(root);
    one.add(prediction('a'));
    one.commit();
    one.rotate();
    one.add(prediction('b'));
    one.commit();
    // A second serving process's journal under the same root.
    const two = journal(root);
    two.add(prediction('c'));
    two.commit();
    two.add(prediction('not-committed'));

    const lookup = new JournalLookup(root);
    expect(await lookup.find('a')).toMatchObject({ id: 'a', model: 'churn', responseJson: '{"prediction":"yes"}' });
    expect((await lookup.find('b'))?.id).toBe('b');
    expect((await lookup.find('c'))?.id).toBe('c');
    expect(await lookup.find('not-committed')).toBeUndefined();
    expect(await lookup.find('zzz')).toBeUndefined();
    // A prefix of an id is not the id.
    expect(await new JournalLookup(root).find('')).toBeUndefined();
  });

  it('counts only a match that begins an intact record: the same text inside a request is passed over', async () => {
    const root = tempDir('hyperplane-find-');
    const j = journal(root);
    j.add({ ...prediction('x'), requestJson: '{"id":"target","note":"a row whose field looks like a record"}' });
    j.add({ ...prediction('target'), responseJson: '{"prediction":"no"}' });
    j.commit();
    const found = await new JournalLookup(root).find('target');
    expect(found?.id).toBe('target');
    expect(found?.responseJson).toBe('{"prediction":"no"}');
  });

  it('reads a segment renamed since it was listed, and misses a shipped one (the store holds it)', async () => {
    const root = tempDir('hyperplane-find-');
    const j = journal(root);
    j.add(prediction('a'));
    j.commit();
    const lookup = new JournalLookup(root);
    expect((await lookup.find('a'))?.id).toBe('a');
    // This lookup lists the open segment without reading it (nothing made at time 0 can be in it); rotating then renames it.
    const renamed = new JournalLookup(root);
    expect(await renamed.find('a', 0)).toBeUndefined();
    const open = join(j.dir, readdirSync(j.dir)[0]!);
    expect(open).toMatch(/\.open$/);
    j.rotate();
    expect((await renamed.find('a'))?.id).toBe('a');
    unlinkSync(open.replace(/\.open$/, '.seg'));
    expect(await new JournalLookup(root).find('a')).toBeUndefined();
  });

  it('with the time a record was made, reads only the segments that could hold it', async () => {
    const root = tempDir('hyperplane-find-');
    const j = journal(root);
    j.add(prediction('early'));
    j.commit();
    j.rotate();
    const firstSegment = join(j.dir, readdirSync(j.dir).find((f) => f.endsWith('.seg'))!);
    await new Promise((r) => setTimeout(r, 1200));
    const later = Date.now();
    j.add(prediction('late'));
    j.commit();
    expect((await new JournalLookup(root).find('late', later))?.id).toBe('late');
    expect((await new JournalLookup(root).find('early', later - 1200))?.id).toBe('early');
    // Made once the second segment was open: the first is not read, so a record there is not found.
    expect(await new JournalLookup(root).find('early', Date.now())).toBeUndefined();
    // A torn tail does not hide the intact records before it.
    appendFileSync(firstSegment, Buffer.from([1, 2, 3]));
    expect((await new JournalLookup(root).find('early'))?.id).toBe('early');
  });
});
