import type { Cluster, Worker } from 'node:cluster';
import type { Server as HttpServer } from 'node:http';
import { createServer, type Server as NetServer } from 'node:net';

// Node 20's libuv accepts one connection per listening descriptor per event-loop turn (libuv PR 3696).
// A worker past capacity spends 20–100 ms a turn answering the connections it has, so a burst of new
// ones waited seconds in the kernel's queue (a 1,024-connection burst drained at ~60 a second, and
// clients timed out at 2 s before they were ever answered with a 503). Each copy of the listening
// socket's descriptor is polled on its own, so N copies accept up to N connections a turn. A process
// gets another descriptor of a socket only over IPC, so a worker sends its listening handle to the
// primary and gets copies back. The primary holds them as raw handles, never listening on them: it
// accepts nothing itself.

const ASK = 'hyperplane:listener-copies';
const COPY = 'hyperplane:listener-copy';

interface Ask {
  cmd: typeof ASK;
  count: number;
}

/** A raw handle as the primary receives it (a TCP handle: never listened on there, only sent back and closed). */
interface RawHandle {
  close(): void;
}

const isAsk = (message: unknown): message is Ask =>
  typeof message === 'object' && message !== null && (message as { cmd?: unknown }).cmd === ASK && Number.isInteger((message as { count?: unknown }).count);

/** In the primary: answers each worker's ask with copies of its own listening handle, one at a time (Node sends the next handle only once the last is acknowledged). */
export function shareListenerCopies(cluster: Cluster): void {
  cluster.on('message', (worker: Worker, message: unknown, handle?: RawHandle) => {
    if (!isAsk(message) || handle === undefined) return;
    let left = Math.min(message.count, 256);
    const next = (error?: Error | null): void => {
      if (error || left-- <= 0 || !worker.isConnected()) return handle.close();
      worker.send({ cmd: COPY }, handle as never, next);
    };
    next();
  });
}

/** The extra listeners of one worker: close() stops them accepting and resolves once the connections they took are closed. */
export interface ListenerCopies {
  /** Copies listening now. */
  readonly count: number;
  /** Resolves once every copy asked for listens (at once when none could be asked for). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * In a worker of `serve --workers N`, once `server` listens: asks the primary for `copies` more
 * descriptors of its socket and hands every connection they accept to `server`, as if it had
 * accepted it. `backlog` is set again on each (a listen without it would lower the socket's to 511).
 */
export function acceptFromCopies(server: HttpServer, copies: number, backlog: number): ListenerCopies {
  const listeners: NetServer[] = [];
  let closed = false;
  let allIn = (): void => undefined;
  const ready = new Promise<void>((resolve) => (allIn = resolve));
  const onMessage = (message: unknown, handle: unknown): void => {
    if ((message as { cmd?: unknown } | null)?.cmd !== COPY || handle === undefined) return;
    if (closed) return (handle as RawHandle).close();
    const listener = createServer({ noDelay: true }, (socket) => server.emit('connection', socket));
    listener.on('error', (e) => process.stderr.write(`hyperplane serve: a copy of the listening socket failed: ${e.message}\n`));
    listener.listen(handle as never, backlog);
    listeners.push(listener);
    if (listeners.length === copies) allIn();
  };
  // The handle of a listening server (Node documents `_handle` as what server.listen(handle) takes).
  const own = (server as unknown as { _handle?: unknown })._handle;
  if (copies > 0 && process.send !== undefined && typeof own === 'object' && own !== null) {
    process.on('message', onMessage);
    process.send({ cmd: ASK, count: copies } satisfies Ask, own as never);
  } else allIn();
  return {
    ready,
    get count() {
      return listeners.length;
    },
    close: async () => {
      closed = true;
      allIn();
      process.off('message', onMessage);
      await Promise.all(listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve()))));
    },
  };
}
