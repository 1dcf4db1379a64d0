import { existsSync, readdirSync, readFileSync, readlinkSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../../src/store/prediction-log/journal.js';
import { readSegment } from '../../../src/store/prediction-log/record-format.js';
import { tempDir } from '../../helpers.js';
import { prediction, sleep } from './fixtures.js';

const journals: Journal[] = [];
const journal = (options: Partial<ConstructorParameters<typeof Journal>[0]> = {}): Journal => {
  const j = new Journal({ dir: tempDir('hyperplane-journal-'), sync: { everyMs: 100 }, maxBytes: 1 << 30, ...options });
  journals.push(j);
  return j;
};
afterEach(() => {
  for (const j of journals.splice(0)) j.close();
});

const files = (dir: string): string[] => readdirSync(dir).sort();
const idsIn = (dir: string): string[] => files(dir).flatMap((f) => readSegment(readFileSync(join(dir, f)), f).records.map((r) => r.id));

describe('Journal', () => {
  it('writes nothing at add, one buffer at each commit', () => {
    const j = journal();
    expect(j.dir).toMatch(new RegExp(`/${process.pid}-\\d+$`));
    j.add(prediction('a'));
    j.add(prediction('b'));
    expect(files(j.dir)).toEqual([]);
    expect(j.pending).toBe(2);
    j.commit();
    expect(files(j.dir)).toEqual(['000001.open']);
    const afterFirst = statSync(join(j.dir, '000001.open')).size;
    j.add(prediction('c'));
    expect(statSync(join(j.dir, '000001.open')).size).toBe(afterFirst);
    j.commit();
    expect(statSync(join(j.dir, '000001.open')).size).toBeGreaterThan(afterFirst);
    expect(j.stats()).toMatchObject({ recordsWritten: 3, commits: 2, segments: 1, bytes: statSync(join(j.dir, '000001.open')).size });
    expect(idsIn(j.dir)).toEqual(['a', 'b', 'c']);
  });

  it("fsyncs at every commit with sync 'always', on a timer with { everyMs }", async () => {
    const always = journal({ sync: 'always' });
    for (let i = 0; i < 3; i++) {
      always.add(prediction(`a${i}`));
      always.commit();
    }
    expect(always.stats().fsyncs).toBe(3);
    const grouped = journal({ sync: { everyMs: 30 } });
    for (let i = 0; i < 3; i++) {
      grouped.add(prediction(`g${i}`));
      grouped.commit();
    }
    expect(grouped.stats().fsyncs).toBe(0);
    await sleep(120);
    expect(grouped.stats().fsyncs).toBe(1);
  });

  it('rotates a segment once it passes segmentBytes, keeping order in the names', () => {
    const j = journal({ segmentBytes: 1000 });
    for (let i = 0; i < 40; i++) {
      j.add(prediction(`r${i}`));
      if (i % 4 === 3) j.commit();
    }
    const names = files(j.dir);
    expect(names.length).toBeGreaterThan(2);
    expect(names.slice(0, -1).every((n) => /^\d{6}\.seg$/.test(n))).toBe(true);
    for (const n of names.slice(0, -1)) expect(statSync(join(j.dir, n)).size).toBeGreaterThanOrEqual(1000);
    expect(idsIn(j.dir)).toEqual(Array.from({ length: 40 }, (_, i) => `r${i}`));
  });

  it('rotates a segment older than segmentMaxAgeMs by its timer, and starts no empty one', async () => {
    const j = journal({ segmentMaxAgeMs: 60 });
    j.add(prediction('old'));
    j.commit();
    expect(files(j.dir)).toEqual(['000001.open']);
    await sleep(200);
    expect(files(j.dir)).toEqual(['000001.seg']);
    j.add(prediction('new'));
    j.commit();
    expect(files(j.dir)).toEqual(['000001.seg', '000002.open']);
  });

  it('leaves out a record it cannot encode and counts it; the turn is written', () => {
    const told: string[] = [];
    const j = journal({ onUnencodable: (r) => told.push(r.id) });
    j.add(prediction('ok-1'));
    j.add({ ...prediction('no-request'), requestJson: undefined } as unknown as ReturnType<typeof prediction>);
    j.add(prediction('ok-2'));
    j.commit();
    expect(told).toEqual(['no-request']);
    expect(j.stats()).toMatchObject({ recordsWritten: 2, unencodable: 1 });
    expect(idsIn(j.dir)).toEqual(['ok-1', 'ok-2']);
  });

  it.skipIf(!existsSync('/proc/self/fd'))('closes each rotated segment once its background fdatasync is done: no fd left open', async () => {
    const j = journal({ sync: { everyMs: 1 }, segmentBytes: 600 });
    for (let i = 0; i < 60; i++) {
      j.add(prediction(`fd${i}`));
      j.commit();
      if (i % 5 === 0) await sleep(3);
    }
    j.close();
    await sleep(100);
    const intoDir = readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(j.dir);
      } catch {
        return false;
      }
    });
    expect(intoDir).toEqual([]);
    expect(j.stats().fsyncs).toBeGreaterThan(1);
    expect(idsIn(j.dir)).toHaveLength(60);
    expect(files(j.dir).every((f) => f.endsWith('.seg'))).toBe(true);
  });

  it('close() commits what is buffered and leaves closed segments only', () => {
    const j = journal();
    j.add(prediction('x'));
    j.commit();
    j.add(prediction('y'));
    j.close();
    expect(files(j.dir)).toEqual(['000001.seg']);
    expect(idsIn(j.dir)).toEqual(['x', 'y']);
    expect(() => j.commit()).toThrow(/closed/);
  });

  it('is full() at maxBytes of unshipped segments, and not once they are shipped', () => {
    const j = journal({ maxBytes: 2000, segmentBytes: 500 });
    let n = 0;
    while (!j.full()) {
      j.add(prediction(`f${n++}`));
      j.commit();
    }
    expect(j.bytes()).toBeGreaterThanOrEqual(2000);
    expect(j.bytes()).toBeLessThan(2000 + 1000);
    expect(j.stats().oldestUnshippedMs).not.toBeNull();
    // What a shipper does: delete closed segments, oldest first.
    for (const f of files(j.dir)) if (f.endsWith('.seg')) unlinkSync(join(j.dir, f));
    j.noticeShipped();
    expect(j.full()).toBe(false);
    expect(j.stats().segments).toBeLessThanOrEqual(1);
  });
});
