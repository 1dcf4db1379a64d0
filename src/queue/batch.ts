import { randomUUID } from 'node:crypto';
import { basename, extname, join, resolve } from 'node:path';
import type { ReadOptions } from '../data/read/options.js';
import { HyperplaneError } from '../errors.js';
import { BATCHES_QUEUE, batchJobId, type BatchJobData, type BatchJobResult } from './batch-jobs.js';
import { openProducer } from './producer.js';
import { queuePrefix, type QueueLocation } from './url.js';

export interface BatchOptions {
  queue: QueueLocation;
  prefix?: string;
  /** The model package's artifact key in `store`, which every worker opens (put it there first). */
  model: { sha256: string; store: string };
  /** Input files: absolute paths every worker can read. */
  files: readonly string[];
  /** One output per input, here, named after it. */
  outDir: string;
  format: 'csv' | 'parquet';
  read: ReadOptions;
  /** A file was scored (or failed): for progress lines. */
  onFile?: (file: FileOutcome, done: number, total: number) => void;
}

export type FileOutcome = { input: string; output: string; rows: number; warnings: string[] } | { input: string; output: string; error: string };

export interface QueuedBatch {
  readonly id: string;
  /** Every file's outcome, in the order of the inputs, once all are done. */
  readonly done: Promise<FileOutcome[]>;
  /** Removes the files no worker has taken; those being scored finish. Answers how many were removed. */
  cancel(reason: string): Promise<number>;
}

/** The output of each input: DIR/<name without extension>.<format>. Two inputs of one name would write one file: refused. */
export function outputsFor(files: readonly string[], outDir: string, format: 'csv' | 'parquet'): string[] {
  const seen = new Map<string, string>();
  return files.map((file) => {
    const name = `${basename(file, extname(file))}.${format}`;
    const other = seen.get(name);
    if (other !== undefined) throw new HyperplaneError(`'${other}' and '${file}' would both be written to ${join(outDir, name)}: score them in two batches, or rename one`);
    seen.set(name, file);
    return resolve(outDir, name);
  });
}

/**
 * Scores files as BullMQ jobs, one per file, for any `hyperplane worker` to take: the files are sharded across the
 * workers as each takes the next. A worker killed mid-file has its job moved back by BullMQ's stalled check and
 * another scores it (the output is written whole, or not at all by a killed worker's last write).
 */
export async function scoreFilesOnQueue(options: BatchOptions): Promise<QueuedBatch> {
  const { queue, events, close } = await openProducer<BatchJobData, BatchJobResult>(BATCHES_QUEUE, options.queue, options.prefix ?? queuePrefix());
  const id = randomUUID().replace(/-/g, '');
  const outputs = outputsFor(options.files, options.outDir, options.format);
  const ids = options.files.map((_, i) => batchJobId(id, i));
  const outcomes: (FileOutcome | undefined)[] = options.files.map(() => undefined);
  let finished = 0;
  let cancelled: string | undefined;
  let settle: (all: FileOutcome[]) => void = () => undefined;
  const done = new Promise<FileOutcome[]>((r) => (settle = r));
  const record = (jobId: string, outcome: (input: string, output: string) => FileOutcome): void => {
    const i = ids.indexOf(jobId);
    if (i < 0 || outcomes[i] !== undefined) return;
    outcomes[i] = outcome(options.files[i]!, outputs[i]!);
    finished++;
    options.onFile?.(outcomes[i]!, finished, ids.length);
    if (finished === ids.length) settle(outcomes as FileOutcome[]);
  };
  events.on('completed', ({ jobId, returnvalue }) => {
    const r = returnvalue as unknown as BatchJobResult;
    record(jobId, (input, output) => ({ input, output, rows: r.rows, warnings: r.warnings }));
  });
  events.on('failed', ({ jobId, failedReason }) => record(jobId, (input, output) => ({ input, output, error: failedReason })));
  await queue.addBulk(
    options.files.map((input, i) => ({
      name: 'file',
      data: { batch: id, index: i, model: options.model, input, output: outputs[i]!, read: options.read },
      // A failed file is reported, not retried: its error is the data's, the same on any worker.
      opts: { jobId: ids[i]!, removeOnComplete: true, removeOnFail: true, attempts: 1 },
    })),
  );
  const closed = done.finally(close);
  return {
    id,
    done: closed,
    async cancel(reason: string): Promise<number> {
      cancelled ??= reason;
      let removed = 0;
      for (const jobId of ids) {
        const state = await queue.getJobState(jobId).catch(() => 'unknown');
        if (state !== 'waiting' && state !== 'prioritized' && state !== 'delayed') continue;
        removed += await queue.remove(jobId).catch(() => 0);
        record(jobId, (input, output) => ({ input, output, error: cancelled! }));
      }
      return removed;
    },
  };
}
