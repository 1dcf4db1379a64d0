import { closeSync, fsyncSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { HEADER_BYTES, readHeader } from './record-format.js';

/**
 * Where the journal's files live, shared by the journal (which writes them) and the shipper.
 *
 * `<root>/<pid>-<startMs>/` is one journal's directory: the writer's pid says whether a segment left
 * there still has a writer. In it, segments are `000001.open` while written and `000001.seg` once
 * closed; the sequence number keeps their order. `ship.lock` (holding a pid) says which shipper ships
 * the directory. Records the store refused go to `<root>/rejected/`.
 */
export const JOURNAL_DIR = /^(\d+)-(\d+)$/;
export const SEGMENT_FILE = /^(\d+)\.(open|seg)$/;
export const LOCK_FILE = 'ship.lock';
export const REJECTED_DIR = 'rejected';

export const segmentName = (seq: number, open: boolean): string => `${String(seq).padStart(6, '0')}.${open ? 'open' : 'seg'}`;

export const journalDirName = (pid: number, startMs: number): string => `${pid}-${startMs}`;

/** Makes a rename or creation in `dir` durable: POSIX wants the directory itself fsynced. */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse to fsync a directory; the data itself was synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface SegmentEntry {
  path: string;
  seq: number;
  open: boolean;
}

/** The segments among `names` (a directory listing), in writing order. */
export function segmentsIn(dir: string, names: readonly string[]): SegmentEntry[] {
  const out: SegmentEntry[] = [];
  for (const name of names) {
    const m = SEGMENT_FILE.exec(name);
    if (m !== null) out.push({ path: join(dir, name), seq: Number(m[1]), open: m[2] === 'open' });
  }
  return out.sort((a, b) => a.seq - b.seq);
}

/** The segments in `dir`, in writing order; none when it is gone. */
export function listSegments(dir: string): SegmentEntry[] {
  try {
    return segmentsIn(dir, readdirSync(dir));
  } catch {
    return [];
  }
}

/** A segment's creation time from its header, without reading the rest. */
export function createdMs(path: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(HEADER_BYTES);
    const n = readSync(fd, head, 0, HEADER_BYTES, 0);
    return readHeader(head.subarray(0, n), path)?.createdMs;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
