import { createReadStream } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { isEncoded, type EncodedPrediction, type JsonValue, type Prediction, type PredictionRecord } from '../../store/index.js';

/**
 * Spill files this process is writing or is about to replay. Other writers in the same process
 * skip them when they look for files left by dead processes.
 */
export const filesInUse = new Set<string>();

/** `predictions-<pid>-<ms>-<n>.ndjson`: the pid tells a later process whether the writer is gone. */
export const SPILL_FILE = /^predictions-(\d+)-\d+-\d+\.ndjson$/;

let fileCount = 0;
export const newFileName = (prefix: string): string => `${prefix}-${process.pid}-${Date.now()}-${++fileCount}.ndjson`;

/** A file that was written and closed: its path and how many records it holds. */
export interface ClosedFile {
  path: string;
  records: number;
}

/**
 * Appends predictions to an NDJSON file, one line each. Appends are batched (everything added
 * before a write starts goes in one write) and every file operation runs one after another.
 */
export class NdjsonAppender {
  private pending: PredictionRecord[] = [];
  private writing = 0;
  private handle: FileHandle | null = null;
  private path: string | null = null;
  private written = 0;
  private unsynced = false;
  private newFile = false;
  /** A failed write may have left half a line: the next write starts a fresh one. */
  private torn = false;
  private writeQueued = false;
  private retryAt = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly prefix: string,
    private readonly onUnwritable: (prediction: PredictionRecord, error: unknown) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Records held in memory until their write completes. */
  get inMemory(): number {
    return this.pending.length + this.writing;
  }

  /** Records written to the file now open. */
  get records(): number {
    return this.written;
  }

  add(prediction: PredictionRecord): void {
    this.pending.push(prediction);
    this.queueWrite();
  }

  addAll(predictions: readonly PredictionRecord[]): void {
    // A loop, not push(...): spread overflows the stack on large arrays.
    for (const p of predictions) this.pending.push(p);
    this.queueWrite();
  }

  /** Tries a failed write again once its pause is over. */
  retry(): void {
    if (this.pending.length > 0) this.queueWrite();
  }

  /** Writes what is pending and fsyncs it; rejects when the disk refuses (the records stay pending). */
  sync(): Promise<void> {
    return this.serial(async () => {
      await this.writePending();
      await this.syncFile();
    });
  }

  /** Writes, fsyncs and closes the file; the next record starts a new one. */
  rotate(): Promise<ClosedFile | null> {
    return this.serial(async () => {
      await this.writePending();
      await this.syncFile();
      if (this.handle === null || this.path === null) return null;
      await this.handle.close();
      const closed = { path: this.path, records: this.written };
      this.handle = null;
      this.path = null;
      this.written = 0;
      this.torn = false;
      return closed;
    });
  }

  private queueWrite(): void {
    if (this.writeQueued || Date.now() < this.retryAt) return;
    this.writeQueued = true;
    this.serial(() => this.writePending()).catch((e: unknown) => this.onError(e));
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(op);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async writePending(): Promise<void> {
    this.writeQueued = false;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      this.writing = batch.length;
      const lines: string[] = [];
      const kept: PredictionRecord[] = [];
      for (const p of batch) {
        try {
          lines.push(spillLine(p));
          kept.push(p);
        } catch (e) {
          this.onUnwritable(p, e);
        }
      }
      try {
        if (lines.length > 0) {
          const handle = await this.open();
          await handle.appendFile(`${this.torn ? '\n' : ''}${lines.join('\n')}\n`);
          this.torn = false;
          this.written += kept.length;
          this.unsynced = true;
        }
        this.retryAt = 0;
      } catch (e) {
        this.torn = this.handle !== null;
        this.pending = kept.concat(this.pending);
        this.retryAt = Date.now() + 1000;
        throw e;
      } finally {
        this.writing = 0;
      }
    }
  }

  private async open(): Promise<FileHandle> {
    if (this.handle !== null) return this.handle;
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, newFileName(this.prefix));
    filesInUse.add(path);
    try {
      this.handle = await open(path, 'ax');
    } catch (e) {
      filesInUse.delete(path);
      throw e;
    }
    this.path = path;
    this.written = 0;
    this.newFile = true;
    return this.handle;
  }

  private async syncFile(): Promise<void> {
    if (this.handle === null || !this.unsynced) return;
    await this.handle.sync();
    this.unsynced = false;
    if (this.newFile) {
      this.newFile = false;
      // The new file's directory entry must survive a power cut too; not every platform can fsync a directory.
      const dir = await open(this.dir, 'r').catch(() => null);
      await dir?.sync().catch(() => undefined);
      await dir?.close().catch(() => undefined);
    }
  }
}

/**
 * Reads a spill file's records in order. A line that does not parse as a prediction (the last
 * one, torn by a crash mid-write) is passed to `onBadLine` and skipped.
 */
export async function* readSpillFile(path: string, onBadLine: (line: number) => void): AsyncGenerator<PredictionRecord> {
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  let rest = '';
  let line = 0;
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const text of parts) {
        line++;
        if (text === '') continue;
        const p = parsePrediction(text);
        if (p === undefined) onBadLine(line);
        else yield p;
      }
    }
    if (rest !== '') {
      line++;
      const p = parsePrediction(rest);
      if (p === undefined) onBadLine(line);
      else yield p;
    }
  } finally {
    input.destroy();
  }
}

/** How many complete lines a spill file has: its record count, for stats, before it is replayed. */
export async function countLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

/** The fields a spill line holds besides its request and response. */
function headOf(o: Record<string, unknown>): Omit<Prediction, 'request' | 'response'> | undefined {
  const ok = typeof o['id'] === 'string' && typeof o['model'] === 'string' && typeof o['version'] === 'number' && typeof o['timestamp'] === 'number' && typeof o['latencyMs'] === 'number';
  if (!ok) return undefined;
  return {
    id: o['id'] as string,
    model: o['model'] as string,
    version: o['version'] as number,
    timestamp: o['timestamp'] as number,
    latencyMs: o['latencyMs'] as number,
    ...(typeof o['arm'] === 'string' ? { arm: o['arm'] } : {}),
    ...(typeof o['requestId'] === 'string' ? { requestId: o['requestId'] } : {}),
  };
}

function parsePrediction(text: string): PredictionRecord | undefined {
  const cut = cutPrediction(text);
  if (cut !== undefined) return cut;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const head = headOf(o);
  if (head === undefined || !('request' in o) || !('response' in o)) return undefined;
  return { ...head, request: o['request'] as JsonValue, response: o['response'] as JsonValue };
}

const LENGTHS = /"requestLength":(\d+),"responseLength":(\d+),"request":/;
const RESPONSE_KEY = ',"response":';

/**
 * A line spillLine wrote with its texts' lengths: the request and response are sliced out as JSON
 * text, and only the short head is parsed (a replay no longer parses every request, nor encodes it
 * again for the insert). Anything that does not line up exactly — a line from an older version, a
 * line torn by a crash — is left to the full parse.
 */
function cutPrediction(text: string): EncodedPrediction | undefined {
  const m = LENGTHS.exec(text);
  if (m === null) return undefined;
  const requestStart = m.index + m[0].length;
  const requestEnd = requestStart + Number(m[1]);
  const responseStart = requestEnd + RESPONSE_KEY.length;
  const responseEnd = responseStart + Number(m[2]);
  if (!text.startsWith(RESPONSE_KEY, requestEnd) || responseEnd !== text.length - 1 || text.charCodeAt(responseEnd) !== 0x7d) return undefined;
  // The head is everything before the lengths, `{"id":…,…,`: closed in place of its last comma.
  let head: unknown;
  try {
    head = JSON.parse(`${text.slice(0, text.charCodeAt(m.index - 1) === 0x2c ? m.index - 1 : m.index)}}`);
  } catch {
    return undefined;
  }
  const fields = head !== null && typeof head === 'object' && !Array.isArray(head) ? headOf(head as Record<string, unknown>) : undefined;
  if (fields === undefined) return undefined;
  return { ...fields, requestJson: text.slice(requestStart, requestEnd), responseJson: text.slice(responseStart, responseEnd) };
}

/**
 * One record as a spill file's line: always a `Prediction` in JSON, so any JSON reader can take it.
 * Encoded request and response text goes in as it is (it is JSON already), last, after their
 * lengths, so a replay can slice them out instead of parsing them.
 */
export function spillLine(p: PredictionRecord): string {
  if (!isEncoded(p)) return JSON.stringify(p);
  const { requestJson, responseJson, ...rest } = p;
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"requestLength":${requestJson.length},"responseLength":${responseJson.length},"request":${requestJson},"response":${responseJson}}`;
}
