import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Job } from 'bullmq';
import { HyperplaneError } from '../errors.js';
import { decodePackage } from '../pipeline/package.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { predictionColumns } from '../pipeline/prediction-columns.js';
import type { Store } from '../store/index.js';
import { isBatchJob, type BatchJobData, type BatchJobResult } from './batch-jobs.js';
import { redact } from './snapshots.js';

/**
 * Scores batch jobs: each reads its model package from the store it names (kept by key between jobs, so the
 * files of one batch load it once), scores its input file and writes its output, as `hyperplane predict` does.
 */
export class BatchScorer {
  private readonly stores = new Map<string, Promise<Store>>();
  private readonly pipelines = new Map<string, Promise<Pipeline>>();

  constructor(
    private readonly openStore: (uri: string) => Promise<Store>,
    /** The store as this machine reaches it; default: the one each job names. */
    private readonly store: string | undefined,
  ) {}

  async score(job: Job<BatchJobData, BatchJobResult>): Promise<BatchJobResult> {
    if (!isBatchJob(job.data)) throw new Error(`job ${job.id} is not a batch file this version of hyperplane can score`);
    const { model, input, output, read } = job.data;
    const pipeline = await this.pipeline(this.store ?? model.store, model.sha256);
    // DuckDB loads when a file is read, as in `hyperplane predict`.
    const { readForPipeline, writePredictions } = await import('../pipeline/io.js');
    const { table, source, warnings } = await readForPipeline(input, pipeline, read);
    const scores = pipeline.scoreTable(table, source);
    mkdirSync(dirname(output), { recursive: true });
    await writePredictions(output, predictionColumns(pipeline, table, scores));
    return { rows: table.nRows, output, warnings };
  }

  private pipeline(uri: string, sha256: string): Promise<Pipeline> {
    let p = this.pipelines.get(sha256);
    if (p === undefined) {
      p = this.load(uri, sha256);
      this.pipelines.set(sha256, p);
      // A failed load is not kept: the next job tries again.
      p.catch(() => this.pipelines.delete(sha256));
      for (const old of [...this.pipelines.keys()].slice(0, Math.max(0, this.pipelines.size - 2))) this.pipelines.delete(old);
    }
    return p;
  }

  private async load(uri: string, sha256: string): Promise<Pipeline> {
    let store = this.stores.get(uri);
    if (store === undefined) this.stores.set(uri, (store = this.openStore(uri)));
    let bytes: Uint8Array;
    try {
      bytes = await (await store).artifacts.get(sha256);
    } catch (e) {
      throw new HyperplaneError(`cannot read the model ${sha256.slice(0, 12)} from the store ${redact(uri)}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return new Pipeline(decodePackage(bytes, `model ${sha256.slice(0, 12)}`).pipeline);
  }

  async close(): Promise<void> {
    const stores = [...this.stores.values()];
    this.stores.clear();
    await Promise.allSettled(stores.map(async (s) => (await s).close()));
  }
}
