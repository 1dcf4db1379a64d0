import type { Kysely } from 'kysely';
import type { ArtifactInfo, Artifacts } from './artifacts.js';
import type { Database } from './db/schema.js';

export interface GcOptions {
  /**
   * Spare blobs written more recently than this (1 hour when absent): a training process puts its
   * model a moment before it links it to a run, and gc must not collect it in between.
   */
  minAgeMs?: number;
}

export interface GcResult {
  artifacts: ArtifactInfo[];
  bytes: number;
}

/** Artifacts no run and no model version references. */
export interface GarbageCollector {
  unreferenced(options?: GcOptions): Promise<ArtifactInfo[]>;
  /** Deletes what `unreferenced` lists and returns it. */
  collect(options?: GcOptions): Promise<GcResult>;
}

const HOUR = 3_600_000;

export class StoreGarbageCollector implements GarbageCollector {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly artifacts: Artifacts,
  ) {}

  async unreferenced(options: GcOptions = {}): Promise<ArtifactInfo[]> {
    const cutoff = Date.now() - (options.minAgeMs ?? HOUR);
    const [all, fromRuns, fromVersions] = await Promise.all([
      this.artifacts.list(),
      this.db.selectFrom('run_artifacts').select('sha256').distinct().execute(),
      this.db.selectFrom('model_versions').select('artifact').distinct().execute(),
    ]);
    const referenced = new Set([...fromRuns.map((r) => r.sha256), ...fromVersions.map((v) => v.artifact)]);
    return all.filter((a) => !referenced.has(a.sha256) && a.storedAt <= cutoff);
  }

  async collect(options: GcOptions = {}): Promise<GcResult> {
    const deleted: ArtifactInfo[] = [];
    for (const a of await this.unreferenced(options)) {
      if (await this.artifacts.delete(a.sha256)) deleted.push(a);
    }
    return { artifacts: deleted, bytes: deleted.reduce((sum, a) => sum + a.size, 0) };
  }
}
