import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { EncodedPrediction } from '../serving.js';
import { decodePayload, FRAME_BYTES, HEADER_BYTES, readHeader } from './record-format.js';
import { JOURNAL_DIR, segmentsIn } from './segment-files.js';

/** A record made at T is committed moments later, perhaps into a segment created after T: this much later. */
const COMMIT_SLACK_MS = 1000;

interface Segment {
  path: string;
  createdMs: number;
}

/**
 * Finds journalled records that are not in the store yet, by id: for feedback that comes moments after
 * its prediction, before the shipper stored it. It searches the unshipped segments of every journal under
 * `root` (each serving process's, so a worker finds what another answered). Made per feedback request and
 * dropped after it: what it read is kept for the request's other ids.
 *
 * The server keeps nothing in memory for this: holding each record for the seconds feedback might race
 * it cost every prediction a map entry and its garbage collection (docs/benchmarks.md). A record only
 * moves from the journal to the store, so a caller that looks in the store after a miss here misses nothing.
 */
export class JournalLookup {
  private journals: Promise<Segment[][]> | undefined;
  private readonly bytes = new Map<string, Promise<Buffer | undefined>>();

  constructor(private readonly root: string) {}

  /**
   * The record with `id`. With `madeMs` (the time a time-ordered id holds) only the segments that could
   * hold it are read, however much the journal holds while the store is down; without, all of them.
   */
  async find(id: string, madeMs?: number): Promise<EncodedPrediction | undefined> {
    this.journals ??= listJournals(this.root);
    const needle = Buffer.from(`{"id":${JSON.stringify(id)},`);
    for (const segments of await this.journals) {
      for (const segment of madeMs === undefined ? segments : couldHold(segments, madeMs)) {
        const bytes = await this.read(segment.path);
        if (bytes === undefined) continue;
        // The text could also occur inside a request's JSON: only a match that begins an intact record counts.
        for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
          const record = recordAt(bytes, at);
          if (record?.id === id) return record;
        }
      }
    }
    return undefined;
  }

  private read(path: string): Promise<Buffer | undefined> {
    let bytes = this.bytes.get(path);
    if (bytes === undefined) this.bytes.set(path, (bytes = readRenamed(path)));
    return bytes;
  }
}

/** The segment that was open at `madeMs` (the last created by then) and those created within the commit slack after it. */
function couldHold(segments: readonly Segment[], madeMs: number): Segment[] {
  let first = 0;
  for (let i = 0; i < segments.length; i++) if (segments[i]!.createdMs <= madeMs) first = i;
  return segments.slice(first).filter((s) => s.createdMs <= madeMs + COMMIT_SLACK_MS);
}

/** Each journal's segments under `root`, in writing order, with their creation times. */
async function listJournals(root: string): Promise<Segment[][]> {
  let dirs: string[];
  try {
    dirs = (await readdir(root)).filter((name) => JOURNAL_DIR.test(name));
  } catch {
    return [];
  }
  const out: Segment[][] = [];
  for (const name of dirs) {
    const dir = join(root, name);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    const segments: Segment[] = [];
    for (const entry of segmentsIn(dir, names)) {
      const createdMs = await createdAt(entry.path);
      if (createdMs !== undefined) segments.push({ path: entry.path, createdMs });
    }
    out.push(segments);
  }
  return out;
}

async function createdAt(path: string): Promise<number | undefined> {
  for (const candidate of renamedToo(path)) {
    try {
      const file = await open(candidate, 'r');
      try {
        const head = Buffer.alloc(HEADER_BYTES);
        const { bytesRead } = await file.read(head, 0, HEADER_BYTES, 0);
        return readHeader(head.subarray(0, bytesRead), candidate)?.createdMs;
      } finally {
        await file.close();
      }
    } catch {
      // Gone (renamed: tried next; shipped: the store has it), or not a segment.
    }
  }
  return undefined;
}

/** A segment's bytes; an open one renamed since it was listed is read under its closed name. Undefined once shipped (deleted). */
async function readRenamed(path: string): Promise<Buffer | undefined> {
  for (const candidate of renamedToo(path)) {
    try {
      return await readFile(candidate);
    } catch {
      // Gone: renamed (tried next) or shipped (the store has it).
    }
  }
  return undefined;
}

const renamedToo = (path: string): string[] => (path.endsWith('.open') ? [path, path.replace(/\.open$/, '.seg')] : [path]);

/** The record whose payload starts at byte `at`, if the frame before it is intact. */
function recordAt(segment: Buffer, at: number): EncodedPrediction | undefined {
  const frame = at - FRAME_BYTES;
  if (frame < HEADER_BYTES) return undefined;
  const length = segment.readUInt32LE(frame);
  const end = at + length;
  if (end > segment.length) return undefined;
  const payload = segment.subarray(at, end);
  if (crc32(payload) !== segment.readUInt32LE(frame + 4)) return undefined;
  try {
    return decodePayload(payload);
  } catch {
    return undefined;
  }
}
