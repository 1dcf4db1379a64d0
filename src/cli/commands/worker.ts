import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import { wholeNumber } from '../read-options.js';

interface WorkerFlags {
  queue?: string;
  concurrency: string;
  exitIdle?: string;
}

/** For tests and impatient operators: how long a lost worker's trial stays locked before another worker takes it. */
const LOCK_ENV = 'HYPERPLANE_QUEUE_LOCK_MS';

/**
 * `hyperplane worker [--queue URL] [--concurrency N]`: takes search trials from the queue and scores them on the
 * search's data snapshot, each on its own thread; SIGTERM or Ctrl-C finishes the trials it holds, then exits.
 */
export function workerCommand(): Command {
  return new Command('worker')
    .description('score search trials, batch files (predict --queue) and auto\'s candidates (train --queue) from a BullMQ queue on Redis (start any number, on any machine that reaches the queue and the store)')
    .option('--queue <url>', 'the queue: redis://HOST:PORT (default: $HYPERPLANE_QUEUE)')
    .option('--concurrency <n>', 'trials scored at once, each on its own thread', '1')
    .option('--exit-idle <seconds>', 'stop after this many seconds without a trial (default: run until stopped)')
    .action(async (flags: WorkerFlags) => {
      const { chosenQueue, checkRedis, startWorker } = await import('../../queue/index.js');
      const queue = chosenQueue(flags.queue);
      if (queue === undefined) throw new HyperplaneError('name the queue with --queue redis://HOST:PORT (or set $HYPERPLANE_QUEUE)');
      const concurrency = wholeNumber('--concurrency', flags.concurrency, 1);
      const lockText = process.env[LOCK_ENV];
      const exitIdle = flags.exitIdle === undefined ? undefined : Number(flags.exitIdle);
      if (exitIdle !== undefined && !(exitIdle > 0)) throw new HyperplaneError(`--exit-idle ${flags.exitIdle}: expected seconds, above 0`);
      const lockMs = lockText !== undefined && lockText !== '' ? wholeNumber(`$${LOCK_ENV}`, lockText, 100) : undefined;
      await checkRedis(queue);
      const store = await checkStore();
      const say = (line: string): void => void process.stderr.write(`worker: ${line}\n`);
      const worker = await startWorker({ queue, concurrency, log: say, ...(store !== undefined ? { store } : {}), ...(lockMs !== undefined ? { lockMs } : {}), ...(exitIdle !== undefined ? { exitIdleMs: exitIdle * 1000 } : {}) });
      say(`${worker.name} takes trials from ${queue.url}, and batch files and auto's candidates (${concurrency} at a time); stop with Ctrl-C or SIGTERM`);
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals): void => {
          say(`${signal}: finishing the trials held, then stopping`);
          // A second signal does not wait.
          process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
          void worker.close().then(resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
        void worker.closed.then(resolve);
      });
    });
}

/**
 * The store named by $HYPERPLANE_STORE, which must open (a worker that cannot read snapshots would fail every trial
 * it takes); the worker reads snapshots from it. Without it, each job names its search's store.
 */
async function checkStore(): Promise<string | undefined> {
  const { STORE_ENV, openStore } = await import('../../store/index.js');
  const uri = process.env[STORE_ENV];
  if (uri === undefined || uri === '') return undefined;
  const { redact } = await import('../../queue/snapshots.js');
  try {
    // Migrated as every command's store is (a worker may start before any search made it); runs are the driver's to repair.
    const store = await openStore({ uri, repair: false });
    await store.close();
    return uri;
  } catch (e) {
    throw new HyperplaneError(`cannot open the store ${redact(uri)} ($${STORE_ENV}): ${e instanceof Error ? e.message : String(e)}`);
  }
}
