import { loadSnapshot } from '../data/snapshot.js';
import { HyperplaneError } from '../errors.js';
import type { CrossValidationOptions } from '../pipeline/cross-validate.js';
import type { Data } from '../pipeline/train.js';
import type { Store } from '../store/index.js';
import type { SnapshotRef } from './jobs.js';
import { scorer, type Scorer } from './scoring-thread.js';

/**
 * What a worker keeps between jobs: the stores it opened, the last snapshots' tables (by fingerprint), and idle
 * scorers for the last search's options, so the trials of one search read the data once and reuse the folds' recipes.
 */
export class SnapshotCache {
  private readonly stores = new Map<string, Promise<Store>>();
  private readonly tables = new Map<string, Promise<Data>>();
  private readonly idle = new Map<string, Scorer[]>();

  constructor(
    private readonly openStore: (uri: string) => Promise<Store>,
    /** Told each time a snapshot is read from its store (once per fingerprint while it stays cached). */
    private readonly onRead: (ref: SnapshotRef, rows: number) => void = () => undefined,
    /** Tables kept at once: a worker serves one search at a time, mostly. */
    private readonly keep = 2,
  ) {}

  async data(ref: SnapshotRef): Promise<Data> {
    let table = this.tables.get(ref.fingerprint);
    if (table === undefined) {
      table = this.load(ref);
      this.tables.set(ref.fingerprint, table);
      // A failed read is not kept: the next job tries again.
      table.catch(() => this.tables.delete(ref.fingerprint));
      for (const old of [...this.tables.keys()].slice(0, Math.max(0, this.tables.size - this.keep))) this.tables.delete(old);
    }
    return table;
  }

  /** A scorer for these options on this data: an idle one, or a new one (one per job slot at most). */
  async take(ref: SnapshotRef, options: CrossValidationOptions): Promise<{ scorer: Scorer; give: () => void }> {
    const key = `${ref.fingerprint} ${JSON.stringify(options)}`;
    // Another search's scorers hold another table's copy: let them go.
    for (const [other, scorers] of this.idle) if (other !== key) for (const s of scorers.splice(0)) void s.close();
    const s = this.idle.get(key)?.pop() ?? scorer(await this.data(ref), options);
    return { scorer: s, give: () => this.idle.set(key, [...(this.idle.get(key) ?? []), s]) };
  }

  private async load(ref: SnapshotRef): Promise<Data> {
    let bytes: Uint8Array;
    try {
      let store = this.stores.get(ref.store);
      if (store === undefined) {
        store = this.openStore(ref.store);
        this.stores.set(ref.store, store);
        store.catch(() => this.stores.delete(ref.store));
      }
      bytes = await (await store).artifacts.get(ref.sha256);
    } catch (e) {
      throw new HyperplaneError(`cannot read the data snapshot ${ref.sha256.slice(0, 12)} from the store ${redact(ref.store)}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const loaded = await loadSnapshot(bytes, ref.schema !== undefined ? { schema: ref.schema } : {});
    if (loaded.fingerprint !== ref.fingerprint) throw new HyperplaneError(`the data snapshot ${ref.sha256.slice(0, 12)} reads as fingerprint ${loaded.fingerprint.slice(0, 12)}, not the search's ${ref.fingerprint.slice(0, 12)}`);
    this.onRead(ref, loaded.table.nRows);
    return { table: loaded.table, schema: loaded.schema, source: ref.source, fingerprint: loaded.fingerprint, infinite: loaded.infinite };
  }

  async close(): Promise<void> {
    for (const scorers of this.idle.values()) await Promise.all(scorers.splice(0).map((s) => s.close()));
    for (const store of this.stores.values()) await store.then((s) => s.close()).catch(() => undefined);
    this.stores.clear();
    this.tables.clear();
  }
}

/** A store URL without its password, for messages. */
export function redact(uri: string): string {
  return uri.replace(/\/\/([^@/:]*):[^@/]*@/, '//$1:***@');
}
