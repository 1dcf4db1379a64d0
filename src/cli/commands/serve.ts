import { Command, Option } from 'commander';
import { HyperplaneError } from '../../errors.js';
import { wholeNumber } from '../read-options.js';

interface ServeFlags {
  port: string;
  host: string;
  reloadMs: string;
  extraFields: 'ignore' | 'reject';
  bodyLimit: string;
  log: boolean;
  logLevel: string;
  maxEventLoopDelayMs: string;
  maxInFlight: string;
  workers: string;
  backlog: string;
  acceptsPerTurn: string;
  drainMs: string;
  journalSync: string;
  journalMaxBytes: string;
  logRedact?: string;
  logHash?: string;
  logKeep?: string;
  maxEventLoopUtilization?: string;
  monitorEvery?: string;
  monitorConfig?: string;
  retrainConfig?: string;
  /** Commander's `--no-auth`: false when given. */
  auth: boolean;
  anyVersion?: boolean;
  strict?: boolean;
}

const share = (text: string): number => {
  const v = Number(text);
  if (!(v > 0 && v <= 1)) throw new HyperplaneError(`--max-event-loop-utilization ${text}: expected a share above 0, at most 1`);
  return v;
};


const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration like 30d, 12h, 90m or 45s, in ms. */
const duration = (flag: string, text: string): number => {
  const m = /^(\d+)([smhd])$/.exec(text.trim());
  const ms = m === null ? NaN : Number(m[1]) * UNIT_MS[m[2]!]!;
  if (!(ms > 0)) throw new HyperplaneError(`${flag} ${text}: expected a whole number and a unit, s, m, h or d (e.g. 30d), above 0`);
  return ms;
};

/** A comma-separated list of field names. */
const fieldList = (text: string | undefined): string[] | undefined => (text === undefined ? undefined : text.split(','));

/** A second stop signal within this long of the first is a copy of it; later, it means exit now. */
const SECOND_SIGNAL_MS = 1000;

/**
 * `hyperplane serve [REF...]`: the models in the store over HTTP. SIGTERM or Ctrl-C stops taking new
 * requests, lets those in flight finish, then flushes the prediction log before exiting.
 */
export function serveCommand(): Command {
  return new Command('serve')
    .description('serve models from the store over HTTP: /v1 predict and feedback, the v2 inference protocol, /invocations, /metrics')
    .argument('[refs...]', 'models to serve (name, name@alias, name/3); none: every model with a production alias')
    .option('--port <port>', 'port to listen on', '8080')
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--reload-ms <ms>', 'how often aliases, deployments and keys are re-read (0: never)', '2000')
    .addOption(new Option('--extra-fields <mode>', 'fields a model does not read: ignore them, or reject the row').choices(['ignore', 'reject']).default('ignore'))
    .option('--body-limit <bytes>', 'largest request body (413 above)', String(16 * 1024 * 1024))
    .option('--workers <n>', 'processes sharing the port (node:cluster); each has its own log writer', '1')
    // Node's default, 511, overflowed under a burst of 1,024 new connections: the kernel dropped SYNs and
    // those clients waited 1–3 s to retry. The kernel caps it at net.core.somaxconn.
    .option('--backlog <n>', "connections the kernel queues for the server to accept (Node's default is 511)", '4096')
    // Node accepts one connection per listening descriptor per event-loop turn; past capacity a turn takes
    // tens of ms, so a burst of new connections waited seconds to be accepted. Each process listens on this many copies.
    .option('--accepts-per-turn <n>', 'new connections each process can accept per event-loop turn (Node takes one per listening socket)', '16')
    .option('--no-auth', 'predictions and feedback need no API key even once keys exist (admin routes still need an admin key)')
    .option('--any-version', 'also answer any name@alias or name/N in the store, not only the REFs given (or production aliases) and their deployments: for development')
    .option('--strict', 'refuse (400) a row holding none of the fields the model reads, rather than scoring it as all missing with a note')
    .option('--no-log', 'do not write the prediction log (feedback is then scored only by explicit rewards)')
    .option('--journal-sync <ms|always>', 'the prediction journal is fsynced at most this many ms after a write (group commit), or every turn with always: what a machine crash can lose (a killed process loses nothing)', '100')
    .option('--journal-max-bytes <n>', 'unshipped journal bytes (the store down that long) past which predictions are answered 503 with Retry-After', String(1024 ** 3))
    .option('--log-redact <fields>', 'fields left out of the prediction log, comma-separated (answers are unchanged)')
    .option('--log-hash <fields>', 'fields logged as HMAC-SHA256 hex with the key in HYPERPLANE_LOG_HASH_KEY (required, 16+ characters), comma-separated')
    .option('--log-keep <duration>', 'remove logged predictions and feedback older than this (e.g. 30d; units s, m, h, d), at start and every hour')
    .option('--monitor-every <duration>', "run each model's monitor this often (e.g. 5m; units s, m, h, d) on a thread: drift, quality and alerts over the last 7 days, on /metrics; servers sharing a store take turns, one per model")
    .option('--monitor-config <file>', 'with --monitor-every: the config whose monitor section holds the alert rules and the webhooks they notify')
    .option('--retrain-config <file>', "a config whose retrain section names the aliases to retrain on new data on a schedule (retrain: { model: 'churn@production', every: '1d', data: 'new.csv' }); each alias moves only when the new model is better, and servers sharing a store take turns")
    .option('--drain-ms <ms>', 'on SIGTERM: stop accepting, answer what still comes on open connections (closing each) for up to this long, then close the rest', '1000')
    .option('--max-event-loop-delay-ms <ms>', 'overload: answer 503 with Retry-After past this event-loop delay', '1000')
    .option('--max-event-loop-utilization <share>', 'overload: answer 503 with Retry-After while the event loop is busier than this (0-1; off by default: one big batch reads as saturation)')
    .option('--max-in-flight <n>', 'overload: answer 503 with Retry-After past this many requests in flight', '1024')
    .addOption(new Option('--log-level <level>', 'server log level').choices(['fatal', 'error', 'warn', 'info', 'debug']).default('warn'))
    .action(async (refs: string[], flags: ServeFlags) => {
      // Every flag is checked before any worker starts: a worker failing on one would be replaced over and over.
      const workers = wholeNumber('--workers', flags.workers, 1);
      const port = wholeNumber('--port', flags.port, 0, 65_535);
      const backlog = wholeNumber('--backlog', flags.backlog, 1);
      const acceptsPerTurn = wholeNumber('--accepts-per-turn', flags.acceptsPerTurn, 1);
      if (acceptsPerTurn > 256) throw new HyperplaneError(`--accepts-per-turn ${flags.acceptsPerTurn}: expected a whole number from 1 to 256`);
      const reloadMs = wholeNumber('--reload-ms', flags.reloadMs, 0);
      const drainMs = wholeNumber('--drain-ms', flags.drainMs, 0);
      const journalSync = flags.journalSync === 'always' ? 'always' : wholeNumber('--journal-sync', flags.journalSync, 1, 60_000);
      const journalMaxBytes = wholeNumber('--journal-max-bytes', flags.journalMaxBytes, 1024 * 1024);
      const logKeepMs = flags.logKeep !== undefined ? duration('--log-keep', flags.logKeep) : undefined;
      const monitorEveryMs = flags.monitorEvery !== undefined ? duration('--monitor-every', flags.monitorEvery) : undefined;
      if (monitorEveryMs !== undefined && monitorEveryMs < 1000) throw new HyperplaneError(`--monitor-every ${flags.monitorEvery}: expected a second or more`);
      if (monitorEveryMs !== undefined && flags.log === false) throw new HyperplaneError('--monitor-every reads what the prediction log folds, which --no-log turns off');
      if (flags.monitorConfig !== undefined && monitorEveryMs === undefined) throw new HyperplaneError('--monitor-config holds the scheduled monitor\'s alert rules: give --monitor-every too');
      // A bad rule fails here, before any worker starts.
      if (flags.monitorConfig !== undefined) await (await import('../../monitor/alerts/config.js')).loadMonitorConfig(flags.monitorConfig);
      // A bad retrain section fails here too.
      if (flags.retrainConfig !== undefined) await (await import('../../config/retrain.js')).loadRetrainConfig(flags.retrainConfig);
      const logRedact = fieldList(flags.logRedact);
      const logHash = fieldList(flags.logHash);
      if (flags.log === false && (logRedact ?? logHash ?? logKeepMs) !== undefined) throw new HyperplaneError('--log-redact, --log-hash and --log-keep shape the prediction log, which --no-log turns off');
      // A missing or short hash key fails here, before any worker starts.
      if (logRedact !== undefined || logHash !== undefined) {
        const { LogFieldPolicy } = await import('../../serve/log-fields.js');
        LogFieldPolicy.from({ ...(logRedact !== undefined ? { redact: logRedact } : {}), ...(logHash !== undefined ? { hash: logHash } : {}) });
      }
      const bodyLimit = wholeNumber('--body-limit', flags.bodyLimit, 1024);
      const maxEventLoopDelayMs = wholeNumber('--max-event-loop-delay-ms', flags.maxEventLoopDelayMs, 1);
      const maxInFlight = wholeNumber('--max-in-flight', flags.maxInFlight, 1);
      const maxEventLoopUtilization = flags.maxEventLoopUtilization !== undefined ? share(flags.maxEventLoopUtilization) : undefined;
      const notice = (line: string): void => void process.stderr.write(`${line}\n`);
      const { superviseWorkers } = await import('../../serve/lifecycle/workers.js');
      if (workers > 1 && (await superviseWorkers(workers, notice))) return;
      const { startServer } = await import('../../serve/lifecycle/start-server.js');
      const { osUser } = await import('../../store/index.js');
      if (!flags.auth) notice('--no-auth: predictions and feedback need no API key; admin routes still need an admin key');
      if (flags.anyVersion === true) notice('--any-version: any name@alias or name/N in the store is answered, not only production aliases and deployments (for development)');
      // Handlers go in before the server starts: a signal right after it listens (as a test or a supervisor may send
      // at once) must flush too, not kill it with Node's default action.
      let started: (value: { stop(): Promise<void> }) => void = () => undefined;
      const server = new Promise<{ stop(): Promise<void> }>((resolve) => (started = resolve));
      let stoppingSince: number | undefined;
      const stop = async (signal: string): Promise<void> => {
        if (stoppingSince !== undefined) {
          // A copy of the first signal (a process group's, then a parent forwarding it) comes within moments: ignored.
          // A second one later is a person insisting: exit now. Nothing is lost: the journal ships at the next start.
          if (Date.now() - stoppingSince < SECOND_SIGNAL_MS) return;
          notice(`${signal} again: exiting now; the prediction journal's unshipped records ship when a server next starts here`);
          process.exit(130);
        }
        stoppingSince = Date.now();
        notice(`${signal}: finishing requests in flight, flushing the prediction log (${signal} again after a second to exit at once)`);
        await (await server).stop();
        process.exit(0);
      };
      process.on('SIGTERM', () => void stop('SIGTERM'));
      process.on('SIGINT', () => void stop('SIGINT'));
      const running = await startServer({
        actor: `cli:${osUser()}`,
        refs,
        port,
        host: flags.host,
        backlog,
        acceptsPerTurn,
        inWorker: workers > 1,
        drainMs,
        reloadMs,
        bodyLimit,
        validation: { extraFields: flags.extraFields, strict: flags.strict === true },
        noAuth: !flags.auth,
        anyVersion: flags.anyVersion === true,
        maxEventLoopDelayMs,
        maxInFlight,
        ...(maxEventLoopUtilization !== undefined ? { maxEventLoopUtilization } : {}),
        log: flags.log,
        journalSync,
        journalMaxBytes,
        ...(logRedact !== undefined ? { logRedact } : {}),
        ...(logHash !== undefined ? { logHash } : {}),
        ...(logKeepMs !== undefined ? { logKeepMs } : {}),
        ...(monitorEveryMs !== undefined ? { monitorEveryMs } : {}),
        ...(flags.monitorConfig !== undefined ? { monitorConfig: flags.monitorConfig } : {}),
        ...(flags.retrainConfig !== undefined ? { retrainConfig: flags.retrainConfig } : {}),
        logger: true,
        logLevel: flags.logLevel,
        onNotice: notice,
      });
      started(running);
    });
}
