import type { DataInput, JsonValue, Run, Store } from '../store/index.js';
import { cliActor, openStoreLazily } from './store.js';
import { packageVersions } from './version.js';

export interface RunStart {
  experiment?: string;
  name?: string;
  params: Record<string, JsonValue>;
  tags: Record<string, string>;
  seed: number;
  /** Everything `reproduce` needs to train again. */
  config: JsonValue;
  inputs: DataInput[];
  /** The run this one is part of (a search's run). */
  parent?: string;
  /** A first note for its lab notebook, by the CLI's user. */
  note?: string;
}

export interface RunOutcome {
  metrics: Record<string, number>;
  /** Named blobs: the model package, the report, the summary. */
  artifacts: Record<string, Uint8Array>;
  warnings: string[];
  tags?: Record<string, string>;
}

const HEARTBEAT_MS = 60_000;
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * A training run recorded in the store while it happens: `running` from the start, then `finished`
 * with its metrics and artifacts, `failed` on an error, or `killed` on Ctrl-C / SIGTERM — never left
 * half-written as `running` (a `kill -9` is caught on the store's next open: the pid is gone).
 */
export class RunRecorder {
  private readonly heartbeat: NodeJS.Timeout;
  private ended = false;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    void this.end('killed').finally(() => process.exit(SIGNAL_EXIT[signal] ?? 1));
  };

  private constructor(
    private readonly store: Store,
    readonly run: Run,
  ) {
    this.heartbeat = setInterval(() => void store.tracking.heartbeat(run.id).catch(() => undefined), HEARTBEAT_MS).unref();
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  static async start(start: RunStart, root = process.cwd()): Promise<RunRecorder> {
    const store = await openStoreLazily();
    try {
      const { currentEnvironment, gitState } = await import('../store/provenance.js');
      const git = gitState(root);
      const run = await store.tracking.createRun({
        ...(start.experiment !== undefined ? { experiment: start.experiment } : {}),
        ...(start.name !== undefined ? { name: start.name } : {}),
        params: start.params,
        tags: start.tags,
        seed: start.seed,
        config: start.config,
        inputs: start.inputs,
        ...(start.parent !== undefined ? { parent: start.parent } : {}),
        ...(git !== undefined ? { git } : {}),
        environment: currentEnvironment(packageVersions()),
      });
      if (start.note !== undefined) await store.tracking.addNote(run.id, start.note, await cliActor());
      return new RunRecorder(store, run);
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  /** A stopped run taken up again by this process (a resumed search): `running` again, with the usual endings. */
  static async resume(runId: string): Promise<RunRecorder> {
    const store = await openStoreLazily();
    try {
      await store.tracking.reopenRun(runId);
      await store.tracking.addWarnings(runId, [`resumed by process ${process.pid}`]);
      return new RunRecorder(store, (await store.tracking.getRun(runId))!);
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  get id(): string {
    return this.run.id;
  }

  get location(): string {
    return this.store.location;
  }

  /** Artifacts first, then metrics, then `finished`: a run marked finished has everything. */
  async finish(outcome: RunOutcome): Promise<void> {
    const { tracking, artifacts } = this.store;
    for (const [name, bytes] of Object.entries(outcome.artifacts)) await tracking.attachArtifact(this.run.id, name, await artifacts.put(bytes));
    const metrics = Object.entries(outcome.metrics).filter(([, v]) => Number.isFinite(v));
    await tracking.logMetrics(this.run.id, metrics.map(([name, value]) => ({ name, value })));
    if (outcome.warnings.length > 0) await tracking.addWarnings(this.run.id, outcome.warnings);
    if (outcome.tags !== undefined) await tracking.setTags(this.run.id, outcome.tags);
    await this.end('finished');
  }

  async fail(error: unknown): Promise<void> {
    if (this.ended) return;
    await this.store.tracking.addWarnings(this.run.id, [`failed: ${error instanceof Error ? error.message : String(error)}`]).catch(() => undefined);
    await this.end('failed');
  }

  private async end(status: 'finished' | 'failed' | 'killed'): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    try {
      await this.store.tracking.setStatus(this.run.id, status);
    } finally {
      await this.store.close();
    }
  }
}
