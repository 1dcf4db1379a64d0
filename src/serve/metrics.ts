import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MonitorGauges } from '../monitor/gauges.js';
import type { ServedVersion } from './served-models.js';

/** One route × model × version's instruments, made once: labelling per request cost more than scoring a row. */
export interface Instruments {
  /** Answered requests and rows since the last scrape, settled into the counters then. */
  answered: number;
  rows: number;
  /** Rows answered with `abstained: true` (a deployment's threshold not reached) since the last scrape. */
  abstained: number;
  invalid: { inc(): void };
  seconds: { observe(v: number): void };
}

/** The prediction log's numbers /metrics shows: the journal's and its shipper's. */
export interface LogGauges {
  /** Journal bytes not shipped yet (the open segment included). */
  journalBytes: number;
  journalSegments: number;
  /** Records written to the journal, its writes (one a turn with answers) and its fdatasyncs, since the start. */
  journalRecords: number;
  journalCommits: number;
  journalFsyncs: number;
  /** Age of the oldest record not shipped yet, in seconds; 0 when all is shipped. */
  lagSeconds: number;
  recordsShipped: number;
  /** Records shipped a second, over the last ~10 s. */
  shipRate: number;
  tornRecords: number;
  rejected: number;
  storeDown: boolean;
  /** Removed by retention (--log-keep) since the start. */
  predictionsExpired: number;
}

/** The server's Prometheus metrics (prom-client): requests, latency, rows and overload, per model and version. */
export class ServeMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'model' | 'version' | 'status'>;
  private readonly latency: Histogram<'route' | 'model' | 'version'>;
  private readonly overloaded: Counter<'reason'>;
  private readonly rowsScored: Counter<'model' | 'version'>;
  private readonly abstentions: Counter<'model' | 'version'>;
  private readonly byKey = new Map<string, Instruments & { okCounter: { inc(n: number): void }; rowsCounter: { inc(n: number): void }; abstainedCounter: { inc(n: number): void } }>();

  constructor() {
    const registers = [this.registry];
    // Answered requests and rows are counted in plain numbers and added to these counters when
    // Prometheus scrapes (prom-client's `collect`): an inc() per request hashed its labels.
    const collect = (): void => this.settle();
    this.requests = new Counter({ name: 'hyperplane_requests_total', help: 'Requests by route, model, version and status code', labelNames: ['route', 'model', 'version', 'status'], registers, collect });
    this.latency = new Histogram({ name: 'hyperplane_request_duration_seconds', help: 'Request latency by route, model and version', labelNames: ['route', 'model', 'version'], buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers });
    this.overloaded = new Counter({ name: 'hyperplane_overloaded_total', help: 'Requests answered 503 because the server was overloaded', labelNames: ['reason'], registers });
    this.rowsScored = new Counter({ name: 'hyperplane_rows_predicted_total', help: 'Rows predicted by model and version', labelNames: ['model', 'version'], registers, collect });
    this.abstentions = new Counter({ name: 'hyperplane_abstentions_total', help: "Rows answered abstained (the predicted class's probability below the deployment's abstain-below threshold), by model and version", labelNames: ['model', 'version'], registers, collect });
  }

  /**
   * The prediction log's gauges, each read from `read()` when Prometheus scrapes (one call per scrape:
   * the first gauge's collect reads, the others use that reading).
   */
  watchLog(read: () => LogGauges): void {
    const registers = [this.registry];
    let latest: LogGauges | undefined;
    const gauge = (name: string, help: string, value: (g: LogGauges) => number, first = false): void => {
      new Gauge({
        name,
        help,
        registers,
        collect(this: Gauge) {
          if (first || latest === undefined) latest = read();
          this.set(value(latest));
        },
      });
    };
    // Counters in Prometheus terms, but set from the shipper thread's totals: a Gauge can be set, a Counter only added to.
    gauge('hyperplane_journal_bytes', 'Prediction journal bytes not shipped to the store yet', (g) => g.journalBytes, true);
    gauge('hyperplane_journal_segments', 'Prediction journal segments not shipped yet, the open one included', (g) => g.journalSegments);
    gauge('hyperplane_journal_records_total', 'Prediction records written to the journal since the start', (g) => g.journalRecords);
    gauge('hyperplane_journal_commits_total', "Journal writes since the start, one per event-loop turn with answers: records over commits is the group commit's size", (g) => g.journalCommits);
    gauge('hyperplane_journal_fsyncs_total', 'Journal fdatasyncs since the start (group commit: at most one per --journal-sync interval, or one a write with always)', (g) => g.journalFsyncs);
    gauge('hyperplane_log_lag_seconds', 'Age of the oldest prediction record not shipped to the store yet (0: all shipped)', (g) => g.lagSeconds);
    gauge('hyperplane_log_shipped_total', 'Prediction records shipped to the store since the start', (g) => g.recordsShipped);
    gauge('hyperplane_log_ship_rate', 'Prediction records shipped a second, over the last ~10 s', (g) => g.shipRate);
    gauge('hyperplane_log_torn_records_total', "Torn journal records skipped (a killed writer's half-written last record)", (g) => g.tornRecords);
    gauge('hyperplane_log_rejected_total', "Prediction records the store refused as invalid, kept in the journal's rejected/ folder", (g) => g.rejected);
    gauge('hyperplane_log_store_down', '1 while the shipper cannot write to the store and is retrying, else 0', (g) => (g.storeDown ? 1 : 0));
    gauge('hyperplane_log_expired_total', 'Predictions removed by retention (--log-keep) since the start', (g) => g.predictionsExpired);
  }

  /**
   * Monitoring's gauges per model version (and column), from the scheduled monitor's latest passes, read
   * when Prometheus scrapes. A version this server no longer monitors (another took its lease) drops out.
   */
  watchMonitor(read: () => readonly MonitorGauges[]): void {
    const registers = [this.registry];
    let latest: readonly MonitorGauges[] = [];
    const perVersion = (name: string, help: string, value: (g: MonitorGauges) => number | null, first = false): void => {
      new Gauge({
        name,
        help,
        labelNames: ['model', 'version'],
        registers,
        collect(this: Gauge<'model' | 'version'>) {
          if (first) latest = read();
          this.reset();
          for (const g of latest) {
            const v = value(g);
            if (v !== null && Number.isFinite(v)) this.set({ model: g.model, version: String(g.version) }, v);
          }
        },
      });
    };
    perVersion('hyperplane_monitor_drift_share', "Share of a version's input columns drifted over the monitored range", (g) => g.driftShare, true);
    perVersion('hyperplane_monitor_rows', 'Predictions in the monitored range', (g) => g.rows);
    perVersion('hyperplane_monitor_prediction_drift', "The prediction score's drift effect over the range (Wasserstein in reference standard deviations, or the test statistic)", (g) => g.predictionDrift);
    perVersion('hyperplane_monitor_alerts_firing', 'Alerts firing for the version', (g) => g.alertsFiring);
    perVersion('hyperplane_monitor_last_pass_timestamp_seconds', 'When the monitor last looked at the version', (g) => g.at / 1000);
    const perColumn = (name: string, help: string, value: (c: MonitorGauges['columns'][number]) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['model', 'version', 'column'],
        registers,
        collect(this: Gauge<'model' | 'version' | 'column'>) {
          this.reset();
          for (const g of latest) for (const c of g.columns) if (Number.isFinite(value(c))) this.set({ model: g.model, version: String(g.version), column: c.column }, value(c));
        },
      });
    };
    perColumn('hyperplane_monitor_column_drift', "A column's drift effect over the range (Wasserstein in reference standard deviations, or Jensen-Shannon distance)", (c) => c.effect);
    perColumn('hyperplane_monitor_column_drifted', '1 when the column is called drifted over the range, else 0', (c) => (c.drifted ? 1 : 0));
    new Gauge({
      name: 'hyperplane_monitor_quality',
      help: "The latest window's quality: realized from outcomes sent back, or estimated before they arrive (CBPE)",
      labelNames: ['model', 'version', 'metric', 'source'],
      registers,
      collect(this: Gauge<'model' | 'version' | 'metric' | 'source'>) {
        this.reset();
        for (const g of latest) for (const q of g.quality) if (Number.isFinite(q.value)) this.set({ model: g.model, version: String(g.version), metric: q.metric, source: q.source }, q.value);
      },
    });
  }

  /** The instruments of a route answering for a version. */
  instruments(route: string, model: ServedVersion): Instruments {
    const key = `${route}\u0000${model.model}\u0000${model.version}`;
    let found = this.byKey.get(key);
    if (found === undefined) {
      const version = String(model.version);
      found = {
        answered: 0,
        rows: 0,
        abstained: 0,
        okCounter: this.requests.labels(route, model.model, version, '200'),
        rowsCounter: this.rowsScored.labels(model.model, version),
        abstainedCounter: this.abstentions.labels(model.model, version),
        invalid: this.requests.labels(route, model.model, version, '400'),
        seconds: this.latency.labels(route, model.model, version),
      };
      this.byKey.set(key, found);
    }
    return found;
  }

  /** A request not tied to a version (refused by auth, feedback), by route and status. */
  counted(route: string, status: number): void {
    this.requests.inc({ route, model: '', version: '', status: String(status) });
  }

  overload(reason: string): void {
    this.overloaded.inc({ reason });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private settle(): void {
    for (const m of this.byKey.values()) {
      if (m.answered > 0) m.okCounter.inc(m.answered);
      if (m.rows > 0) m.rowsCounter.inc(m.rows);
      if (m.abstained > 0) m.abstainedCounter.inc(m.abstained);
      m.answered = 0;
      m.rows = 0;
      m.abstained = 0;
    }
  }
}
