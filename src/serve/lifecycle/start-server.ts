import { HyperplaneError } from '../../errors.js';
import { openStore, osUser, storeTarget, type Store } from '../../store/index.js';
import { journalRoot } from '../../store/prediction-log/leftovers.js';
import type { ListenerCopies } from '../listener-copies.js';
import type { RetrainSchedule } from './retrain-schedule.js';
import { LogFieldPolicy } from '../log-fields.js';
import type { Server, ServerOptions } from '../server.js';

/** What `hyperplane serve` runs, for a Node application to run in-process. */
export interface StartServerOptions extends Omit<ServerOptions, 'store' | 'log' | 'listen' | 'logger'> {
  /** The store to serve from; when absent one is opened (HYPERPLANE_STORE, else .hyperplane/) and closed by stop(). */
  store?: Store;
  /** The store's URI, for the journal shipper's own connection and, for PostgreSQL, the one that LISTENs for changes (default: the SQLite file, or HYPERPLANE_STORE's PostgreSQL URI). */
  storeUri?: string;
  /** Who the audit trail names for changes made through a store opened here (default `serve:<os user>`). */
  actor?: string;
  /** Port to listen on (0: any free port; default 8080). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Connections the kernel queues for the server to accept (default 4096; Node's own is 511). */
  backlog?: number;
  /** New connections this process can accept per event-loop turn: Node takes one per listening socket, so it listens on this many copies (default 16). */
  acceptsPerTurn?: number;
  /** Set in a worker of superviseWorkers: its listener copies come from the primary. */
  inWorker?: boolean;
  /** stop(): how long connections still open may be answered (each answer closing its connection) before the rest are closed (default 1000 ms). */
  drainMs?: number;
  /** Write the prediction log (default true). */
  log?: boolean;
  /** Where this host's serving processes journal their predictions (default: `journal/` beside a SQLite store, `.hyperplane/journal/` for PostgreSQL). */
  journalDir?: string;
  /** 'always': fsync the journal every turn; a number: group commit, at most that many ms after a write (default 100). */
  journalSync?: 'always' | number;
  /** Unshipped journal bytes past which predictions are answered 503 with Retry-After (default 1 GiB). */
  journalMaxBytes?: number;
  /** Fields left out of the logged request (the answer is unchanged). */
  logRedact?: string[];
  /** Fields logged as HMAC-SHA256(key, value) hex, so they can be joined but not read. */
  logHash?: string[];
  /** The key `logHash` hashes with (default HYPERPLANE_LOG_HASH_KEY); required, at least 16 characters, when logHash names a field. */
  logHashKey?: string;
  /** Retention: predictions and feedback older than this many ms are removed, at the start and every hour, by the shipper thread. */
  logKeepMs?: number;
  /** Run each model's monitor this often (ms), on a thread; servers sharing a store take turns by a lease per model. */
  monitorEveryMs?: number;
  /** The range each scheduled pass reports on (default 7 days). */
  monitorRangeMs?: number;
  /** A config file whose monitor section holds the alert rules and webhooks the scheduled monitor uses. */
  monitorConfig?: string;
  /** A config file whose retrain section names the aliases to retrain on a schedule (`hyperplane retrain`, in a child process); servers sharing a store take turns by a lease per alias. */
  retrainConfig?: string;
  /** Fastify's pino logger to stdout (default false). */
  logger?: boolean;
  /** Lines for the operator (what is served, where it listens), e.g. to stderr. */
  onNotice?: (line: string) => void;
}

export interface RunningServer {
  /** http://host:port */
  url: string;
  server: Server;
  /** Stops accepting, lets requests in flight finish, flushes the prediction log, then closes the store if it opened it. */
  stop(): Promise<void>;
}

/** Why the server could not listen, in words, for the errors a user can fix; anything else as it came. */
function listenError(e: unknown, host: string, port: number): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') return new HyperplaneError(`cannot listen on ${host}:${port}: the port is in use (another server?); choose another with --port`);
  if (code === 'EACCES') return new HyperplaneError(`cannot listen on ${host}:${port}: permission denied (ports below 1024 need privileges)`);
  if (code === 'EADDRNOTAVAIL') return new HyperplaneError(`cannot listen on ${host}:${port}: ${host} is not an address of this machine (--host)`);
  return e;
}

/** Where the shipper thread connects: the store the server uses. */
function shipperUri(store: Store, given: string | undefined): string {
  if (given !== undefined) return given;
  if (store.dialect === 'sqlite') return `sqlite:${store.location}`;
  const target = storeTarget();
  if (target.dialect === 'postgres') return target.uri;
  throw new HyperplaneError('a PostgreSQL store passed to startServer needs its URI as storeUri, for the prediction journal shipper', { field: 'storeUri' });
}

/**
 * The whole serving process as a library call: opens the store, starts the prediction log, builds the
 * server, listens (on listener copies, so a burst of connections is accepted in a few turns), and
 * returns `stop()`, which shuts down in order: stop accepting, drain, close, flush the log, close the store.
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const notice = options.onNotice ?? (() => {});
  // Checked before the store is opened: a missing hash key is the operator's to fix, not a half-started server's.
  const fields = LogFieldPolicy.from({ ...(options.logRedact !== undefined ? { redact: options.logRedact } : {}), ...(options.logHash !== undefined ? { hash: options.logHash } : {}), ...(options.logHashKey !== undefined ? { hashKey: options.logHashKey } : {}) });
  if (options.logKeepMs !== undefined && !(Number.isFinite(options.logKeepMs) && options.logKeepMs > 0)) throw new HyperplaneError(`logKeepMs ${options.logKeepMs}: expected a positive number of milliseconds`, { field: 'logKeepMs' });
  if (options.monitorEveryMs !== undefined && !(Number.isFinite(options.monitorEveryMs) && options.monitorEveryMs >= 1000)) throw new HyperplaneError(`monitorEveryMs ${options.monitorEveryMs}: expected a second or more`, { field: 'monitorEveryMs' });
  if (options.monitorEveryMs !== undefined && options.log === false) throw new HyperplaneError('the scheduled monitor reads what the prediction log folds: it cannot run without the log', { field: 'monitorEveryMs' });
  if (options.monitorConfig !== undefined && options.monitorEveryMs === undefined) throw new HyperplaneError('a monitor config is for the scheduled monitor: give monitorEveryMs too', { field: 'monitorConfig' });
  // A bad rule or webhook is the operator's to fix before anything starts (the thread reads the file again).
  if (options.monitorConfig !== undefined) await (await import('../../monitor/alerts/config.js')).loadMonitorConfig(options.monitorConfig);
  const retrainEntries = options.retrainConfig !== undefined ? await (await import('../../config/retrain.js')).loadRetrainConfig(options.retrainConfig) : undefined;
  const ownStore = options.store === undefined;
  const store = options.store ?? (await openStore({ actor: options.actor ?? `serve:${osUser()}` }));
  const { buildServer } = await import('../server.js');
  const { acceptFromCopies, acceptFromHelperCopies } = await import('../listener-copies.js');
  const target = storeTarget();
  const { JournalLog } = await import('./journal-log.js');
  // Answered ⇒ journaled: each turn's records are written before its answers; a thread ships them to the store.
  const writer =
    options.log !== false
      ? new JournalLog({
          dir: options.journalDir ?? journalRoot(store),
          storeUri: shipperUri(store, options.storeUri),
          sync: options.journalSync ?? 100,
          maxBytes: options.journalMaxBytes ?? 1024 ** 3,
          ...(fields !== undefined ? { fields } : {}),
          ...(options.logKeepMs !== undefined ? { keepMs: options.logKeepMs } : {}),
          onError: (message) => notice(`prediction log: ${message}`),
        })
      : undefined;
  // The scheduled monitor needs the aggregates the shipper folds: without the log there is nothing to watch.
  const { MonitorThread } = await import('./monitor-handle.js');
  const monitor =
    options.monitorEveryMs !== undefined && writer !== undefined
      ? new MonitorThread({
          uri: shipperUri(store, options.storeUri),
          everyMs: options.monitorEveryMs,
          ...(options.monitorRangeMs !== undefined ? { rangeMs: options.monitorRangeMs } : {}),
          ...(options.monitorConfig !== undefined ? { configFile: options.monitorConfig } : {}),
          onError: (message) => notice(message),
        })
      : undefined;
  const { store: _store, storeUri: _uri, monitorEveryMs: _me, monitorRangeMs: _mr, monitorConfig: _mc, retrainConfig: _rc, actor: _actor, journalDir: _jd, journalSync: _js, journalMaxBytes: _jm, logRedact: _lr, logHash: _lh, logHashKey: _lk, logKeepMs: _keep, port: _port, host: _host, backlog: _backlog, acceptsPerTurn: _apt, inWorker: _w, drainMs: _d, log: _log, logger, onNotice: _n, ...serverOptions } = options;
  // LISTEN on the store served: storeUri names a store passed in; HYPERPLANE_STORE may name another, or none.
  const listen = store.dialect === 'postgres' ? (options.storeUri ?? (target.dialect === 'postgres' ? target.uri : undefined)) : undefined;
  const server = await buildServer({ ...serverOptions, store, ...(listen !== undefined ? { listen } : {}), ...(writer !== undefined ? { log: writer } : {}), ...(monitor !== undefined ? { monitor } : {}), logger: logger === true });
  const port = options.port ?? 8080;
  const host = options.host ?? '127.0.0.1';
  const backlog = options.backlog ?? 4096;
  let copies: ListenerCopies | undefined;
  let retrain: RetrainSchedule | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      // The copies stop accepting now; their promise resolves once their connections are gone.
      const copiesClosed = copies?.close();
      await server.drain(options.drainMs ?? 1000);
      await Promise.all([server.close(), copiesClosed]);
      // Closing can finish in the turn a SIGTERM arrives, before the records of an answer just sent are made.
      await server.logged();
      await writer?.close();
      // After the log's last records shipped; gives up its leases so another server takes over at once.
      await monitor?.stop();
      await retrain?.stop();
      if (ownStore) await store.close();
    })());
  let url: string;
  try {
    url = await server.app.listen({ port, host, backlog });
  } catch (e) {
    await stop();
    throw listenError(e, host, port);
  }
  const extra = (options.acceptsPerTurn ?? 16) - 1;
  copies = options.inWorker === true ? acceptFromCopies(server.app.server, extra, backlog) : acceptFromHelperCopies(server.app.server, extra, backlog);
  await Promise.race([copies.ready, new Promise((r) => setTimeout(r, 5000).unref())]);
  for (const m of server.models.status()) notice(m.error === null ? `serving ${m.ref} (${m.model}/${m.version})` : `NOT serving ${m.ref}: ${m.error}`);
  if (server.models.status().length === 0 && options.serveModels !== false) notice('no model has a production alias yet: one given a production alias is picked up at the next reload');
  const worker = options.inWorker === true ? `worker ${process.pid} ` : '';
  const turn = `, accepting up to ${copies.count + 1} connection${copies.count > 0 ? 's' : ''} a turn`;
  const routes = options.serveModels === false ? `GET ${url}/v1/runs, ${url}/docs` : `POST ${url}/v1/models/NAME/predict, GET ${url}/readyz, ${url}/metrics`;
  notice(`${worker}listening on ${url}${turn}  (${routes})`);
  if (retrainEntries !== undefined) {
    const { RetrainSchedule } = await import('./retrain-schedule.js');
    const { hostname } = await import('node:os');
    retrain = new RetrainSchedule({ leases: store.leases, entries: retrainEntries, storeUri: shipperUri(store, options.storeUri), holder: `${hostname()}:${process.pid}`, onNotice: notice });
    retrain.start();
  }
  if (options.dashboard !== false && options.inWorker !== true) notice(`dashboard: ${url}/ui/`);
  return { url, server, stop };
}
