import { join } from 'node:path';
import { Command, Option } from 'commander';
import { HyperplaneError } from '../../errors.js';
import type { ListenerCopies } from '../../serve/listener-copies.js';
import { openStoreLazily } from '../store.js';

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
  maxEventLoopUtilization?: string;
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

/** A whole number of at least `min` (and at most `max`, when given); '' is not 0. */
const integer = (flag: string, text: string, min: number, max?: number): number => {
  const n = text.trim() === '' ? NaN : Number(text);
  const range = max !== undefined ? ` from ${min} to ${max}` : `, ${min} or more`;
  if (!Number.isInteger(n) || n < min || (max !== undefined && n > max)) throw new HyperplaneError(`${flag} ${text}: expected a whole number${range}`);
  return n;
};

/** Why the server could not listen, in words, for the errors a user can fix; anything else as it came. */
function listenError(e: unknown, host: string, port: number): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') return new HyperplaneError(`cannot listen on ${host}:${port}: the port is in use (another server?); choose another with --port`);
  if (code === 'EACCES') return new HyperplaneError(`cannot listen on ${host}:${port}: permission denied (ports below 1024 need privileges)`);
  if (code === 'EADDRNOTAVAIL') return new HyperplaneError(`cannot listen on ${host}:${port}: ${host} is not an address of this machine (--host)`);
  return e;
}

/**
 * In the primary process of `--workers N`: forks N servers sharing the port, replaces one that dies,
 * and on SIGTERM stops them all (each drains and flushes) before exiting. Returns false in a worker.
 */
async function superviseWorkers(n: number): Promise<boolean> {
  const { default: cluster } = await import('node:cluster');
  if (!cluster.isPrimary) return false;
  let stopping = false;
  // Each worker accepts its own connections from the shared socket, unless NODE_CLUSTER_SCHED_POLICY says
  // otherwise: with round robin the primary accepts every connection and hands it over IPC, and a burst
  // of 1,024 new connections then timed out where the workers accepting themselves shed the excess with 503s.
  if (process.env['NODE_CLUSTER_SCHED_POLICY'] === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE;
  const { shareListenerCopies } = await import('../../serve/listener-copies.js');
  shareListenerCopies(cluster);
  for (let i = 0; i < n; i++) cluster.fork();
  // A worker that dies before it ever listened (the store unreachable, the port taken) would die again:
  // it is not replaced, and once none is left the primary exits with an error.
  const listened = new Set<number>();
  cluster.on('listening', (worker) => listened.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    const left = Object.keys(cluster.workers ?? {}).length;
    if (stopping) {
      if (left === 0) process.exit(0);
      return;
    }
    if (!listened.has(worker.id)) {
      process.stderr.write(`worker ${worker.process.pid} exited (${signal ?? code}) before it listened; not starting another\n`);
      if (left === 0) process.exit(code !== null && code !== 0 ? code : 1);
      return;
    }
    process.stderr.write(`worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
    cluster.fork();
  });
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stderr.write(`primary ${process.pid}: ${n} workers\n`);
  return true;
}

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
    .option('--drain-ms <ms>', 'on SIGTERM: stop accepting, answer what still comes on open connections (closing each) for up to this long, then close the rest', '1000')
    .option('--max-event-loop-delay-ms <ms>', 'overload: answer 503 with Retry-After past this event-loop delay', '1000')
    .option('--max-event-loop-utilization <share>', 'overload: answer 503 with Retry-After while the event loop is busier than this (0-1; off by default: one big batch reads as saturation)')
    .option('--max-in-flight <n>', 'overload: answer 503 with Retry-After past this many requests in flight', '1024')
    .addOption(new Option('--log-level <level>', 'server log level').choices(['fatal', 'error', 'warn', 'info', 'debug']).default('warn'))
    .action(async (refs: string[], flags: ServeFlags) => {
      // Every flag is checked before any worker starts: a worker failing on one would be replaced over and over.
      const workers = integer('--workers', flags.workers, 1);
      const port = integer('--port', flags.port, 0, 65_535);
      const backlog = integer('--backlog', flags.backlog, 1);
      const acceptsPerTurn = integer('--accepts-per-turn', flags.acceptsPerTurn, 1);
      if (acceptsPerTurn > 256) throw new HyperplaneError(`--accepts-per-turn ${flags.acceptsPerTurn}: expected a whole number from 1 to 256`);
      const reloadMs = integer('--reload-ms', flags.reloadMs, 0);
      const drainMs = integer('--drain-ms', flags.drainMs, 0);
      const bodyLimit = integer('--body-limit', flags.bodyLimit, 1024);
      const maxEventLoopDelayMs = integer('--max-event-loop-delay-ms', flags.maxEventLoopDelayMs, 1);
      const maxInFlight = integer('--max-in-flight', flags.maxInFlight, 1);
      const maxEventLoopUtilization = flags.maxEventLoopUtilization !== undefined ? share(flags.maxEventLoopUtilization) : undefined;
      if (workers > 1 && (await superviseWorkers(workers))) return;
      const store = await openStoreLazily();
      const { buildServer } = await import('../../serve/server.js');
      const { acceptFromCopies, acceptFromHelperCopies } = await import('../../serve/listener-copies.js');
      const { PredictionLogWriter } = await import('../../serve/prediction-log-writer.js');
      // SQLite's inserts run on a thread of their own (they are synchronous); PostgreSQL's are network I/O already.
      const { WorkerPredictionLog } = await import('../../serve/log/worker-log.js');
      const sink = flags.log && store.dialect === 'sqlite' ? new WorkerPredictionLog(`sqlite:${store.location}`) : undefined;
      const writer = flags.log ? new PredictionLogWriter(sink ?? store.predictions, { writeWhenIdle: true, spillDir: join('.hyperplane', 'spill'), onError: (e) => process.stderr.write(`hyperplane serve: prediction log: ${e.message}\n`) }) : undefined;
      const { storeTarget } = await import('../../store/index.js');
      const target = storeTarget();
      const server = await buildServer({ store, refs, reloadMs, ...(target.dialect === 'postgres' ? { listen: target.uri } : {}), bodyLimit, validation: { extraFields: flags.extraFields, strict: flags.strict === true }, noAuth: !flags.auth, anyVersion: flags.anyVersion === true, maxEventLoopDelayMs, maxInFlight, ...(maxEventLoopUtilization !== undefined ? { maxEventLoopUtilization } : {}), ...(writer !== undefined ? { log: writer } : {}), logger: true, logLevel: flags.logLevel });
      let stopping = false;
      let copies: ListenerCopies | undefined;
      /** Stops taking requests, lets those in flight finish, then flushes the log and closes the store. */
      const shutDown = async (): Promise<void> => {
        // The copies stop accepting now; their promise resolves once their connections are gone.
        const copiesClosed = copies?.close();
        await server.drain(drainMs);
        await Promise.all([server.close(), copiesClosed]);
        // Closing can finish in the turn a SIGTERM arrives, before the records of an answer just sent are made.
        await server.logged();
        await writer?.close();
        await sink?.close();
        await store.close();
      };
      const stop = async (signal: string): Promise<void> => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`${signal}: finishing requests in flight, flushing the prediction log\n`);
        await shutDown();
        process.exit(0);
      };
      process.once('SIGTERM', () => void stop('SIGTERM'));
      process.once('SIGINT', () => void stop('SIGINT'));
      let address: string;
      try {
        address = await server.app.listen({ port, host: flags.host, backlog });
      } catch (e) {
        await shutDown();
        throw listenError(e, flags.host, port);
      }
      copies = workers > 1 ? acceptFromCopies(server.app.server, acceptsPerTurn - 1, backlog) : acceptFromHelperCopies(server.app.server, acceptsPerTurn - 1, backlog);
      await Promise.race([copies.ready, new Promise((r) => setTimeout(r, 5000).unref())]);
      if (!flags.auth) process.stderr.write('--no-auth: predictions and feedback need no API key; admin routes still need an admin key\n');
      if (flags.anyVersion === true) process.stderr.write('--any-version: any name@alias or name/N in the store is answered, not only production aliases and deployments (for development)\n');
      for (const m of server.models.status()) process.stderr.write(m.error === null ? `serving ${m.ref} (${m.model}/${m.version})\n` : `NOT serving ${m.ref}: ${m.error}\n`);
      if (server.models.status().length === 0) process.stderr.write('no model has a production alias yet: one given a production alias is picked up at the next reload\n');
      const worker = workers > 1 ? `worker ${process.pid} ` : '';
      const turn = `, accepting up to ${copies.count + 1} connection${copies.count > 0 ? 's' : ''} a turn`;
      process.stderr.write(`${worker}listening on ${address}${turn}  (POST ${address}/v1/models/NAME/predict, GET ${address}/readyz, ${address}/metrics)\n`);
    });
}
