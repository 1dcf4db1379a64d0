import { Worker, type Transferable } from 'node:worker_threads';
import { receiveError, sendError, type SentError } from './sent-error.js';

/** What a pool's thread sends back for request `id`: its result, or the error it raised, as data. */
export type ThreadReply<R> = { id: number; result: R } | { id: number; error: SentError };

interface Pending<Q, R> {
  id: number;
  request: Q;
  resolve: (result: R) => void;
  reject: (e: Error) => void;
}

/**
 * `threads` worker threads running one script, each given `setup` once (as its workerData) and one request at a
 * time: requests wait in order for a free thread. A thread that dies fails its request and leaves the pool; the
 * others go on. The search's trials and auto's candidates both run on it.
 */
export class ThreadPool<Q extends object, R> {
  private readonly workers: Worker[] = [];
  private readonly busy = new Map<Worker, Pending<Q, R>>();
  private readonly queue: Pending<Q, R>[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    file: URL,
    setup: unknown,
    readonly threads: number,
    private readonly what = 'request',
  ) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(file, { workerData: setup });
      worker.on('message', (reply: ThreadReply<R>) => this.settle(worker, reply));
      worker.on('error', (e) => this.fail(worker, e));
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(worker, new Error(`a ${what} thread stopped (exit code ${code})`));
      });
      // Idle threads do not keep the process alive: a caller that forgets close() still exits.
      worker.unref();
      this.workers.push(worker);
    }
  }

  run(request: Q): Promise<R> {
    if (this.closed) return Promise.reject(new Error(`the ${this.what} pool is closed`));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, request, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error(`the ${this.what} pool is closed`));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    for (const worker of this.workers) {
      if (this.queue.length === 0) return;
      if (this.busy.has(worker)) continue;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      // A thread at work keeps the process alive until it answers.
      worker.ref();
      worker.postMessage({ ...job.request, id: job.id });
    }
  }

  private settle(worker: Worker, reply: ThreadReply<R>): void {
    const job = this.busy.get(worker);
    if (job === undefined || job.id !== reply.id) return;
    this.busy.delete(worker);
    worker.unref();
    if ('error' in reply) job.reject(receiveError(reply.error));
    else job.resolve(reply.result);
    this.dispatch();
  }

  private fail(worker: Worker, e: Error): void {
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers.splice(index, 1);
    job?.reject(e);
    // No thread left: nothing queued can run.
    if (this.workers.length === 0) for (const p of this.queue.splice(0)) p.reject(e);
    else this.dispatch();
  }
}

/** Answers a pool's requests on this thread: `handle` runs each, and its result or error goes back as a ThreadReply. */
export function serveRequests<Q, R>(port: { on(event: 'message', listener: (request: Q & { id: number }) => void): unknown; postMessage(reply: ThreadReply<R>, transfer?: readonly Transferable[]): void }, handle: (request: Q) => Promise<R>, transfer: (result: R) => Transferable[] = () => []): void {
  port.on('message', (request) => {
    handle(request).then(
      (result) => port.postMessage({ id: request.id, result }, transfer(result)),
      (e: unknown) => port.postMessage({ id: request.id, error: sendError(e) }),
    );
  });
}
