import { fork, type ChildProcess } from 'node:child_process';
import type { Cluster, Worker } from 'node:cluster';
import type { Server as HttpServer } from 'node:http';
import { createServer, type Server as NetServer } from 'node:net';
import { fileURLToPath } from 'node:url';

// Node 20's libuv accepts one connection per listening descriptor per event-loop turn (libuv PR 3696).
// A worker past capacity spends 20–100 ms a turn answering the connections it has, so a burst of new
// ones waited seconds in the kernel's queue (a 1,024-connection burst drained at ~60 a second, and
// clients timed out at 2 s before they were ever answered with a 503). Each copy of the listening
// socket's descriptor is polled on its own, so N copies accept up to N connections a turn. A process
// gets another descriptor of a socket only over IPC, so a worker sends its listening handle to the
// primary (a single server process, to a helper it forks) and gets copies back. The primary holds them
// as raw handles, never listening on them: it accepts nothing itself.

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

/**
 * Sends `handle` back `count` times (at most 256), one at a time (Node sends the next handle only once
 * the last is acknowledged), then closes this process's own descriptor of it.
 */
function sendCopies(send: (message: unknown, handle: never, callback: (error: Error | null) => void) => unknown, connected: () => boolean, handle: RawHandle, count: number): void {
  let left = Math.min(count, 256);
  const next = (error?: Error | null): void => {
    if (error || left-- <= 0 || !connected()) return handle.close();
    send({ cmd: COPY }, handle as never, next);
  };
  next();
}

/** In the primary: answers each worker's ask with copies of its own listening handle. */
export function shareListenerCopies(cluster: Cluster): void {
  cluster.on('message', (worker: Worker, message: unknown, handle?: RawHandle) => {
    if (isAsk(message) && handle !== undefined) sendCopies((m, h, cb) => worker.send(m as object, h, cb), () => worker.isConnected(), handle, message.count);
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

/** Where copies are asked for: the cluster primary (a worker's `process`) or a helper process. */
interface Channel {
  send(message: unknown, handle: never): unknown;
  on(event: 'message', listener: (message: unknown, handle: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown, handle: unknown) => void): unknown;
}

/**
 * Once `server` listens: asks `channel` for `copies` more descriptors of its socket and hands every
 * connection they accept to `server`, as if it had accepted it. `backlog` is set again on each (a listen
 * without it would lower the socket's to 511).
 */
function acceptFromCopiesOver(channel: Channel | undefined, server: HttpServer, copies: number, backlog: number): ListenerCopies & { stopWaiting(): void } {
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
  if (copies > 0 && channel !== undefined && typeof own === 'object' && own !== null) {
    channel.on('message', onMessage);
    channel.send({ cmd: ASK, count: copies } satisfies Ask, own as never);
  } else allIn();
  return {
    ready,
    stopWaiting: () => allIn(),
    get count() {
      return listeners.length;
    },
    close: async () => {
      closed = true;
      allIn();
      channel?.off('message', onMessage);
      await Promise.all(listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve()))));
    },
  };
}

/** In a worker of `serve --workers N`: copies from the primary (shareListenerCopies). */
export function acceptFromCopies(server: HttpServer, copies: number, backlog: number): ListenerCopies {
  return acceptFromCopiesOver(process.send !== undefined ? (process as unknown as Channel) : undefined, server, copies, backlog);
}

/**
 * In a single server process: copies from a helper process forked for the purpose, which answers as
 * the primary does and exits once they are sent (a process cannot copy a socket's descriptor for itself).
 * Without the helper (it could not start) the server keeps its one descriptor.
 */
export function acceptFromHelperCopies(server: HttpServer, copies: number, backlog: number): ListenerCopies {
  if (copies === 0) return acceptFromCopiesOver(undefined, server, 0, backlog);
  let child: ChildProcess;
  try {
    child = fork(fileURLToPath(new URL('./listener-copies-helper.js', import.meta.url)), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
  } catch (e) {
    process.stderr.write(`hyperplane serve: accepting one connection a turn (no helper process: ${e instanceof Error ? e.message : String(e)})\n`);
    return acceptFromCopiesOver(undefined, server, 0, backlog);
  }
  const copiesIn = acceptFromCopiesOver(child as unknown as Channel, server, copies, backlog);
  // Once the copies are in, the helper has nothing more to do: letting go of its channel ends it.
  void copiesIn.ready.then(() => {
    if (child.connected) child.disconnect();
  });
  child.once('error', (e) => process.stderr.write(`hyperplane serve: the listening socket's helper failed: ${e.message}\n`));
  // A helper gone before every copy came (killed, or failed): serve with what arrived.
  child.once('exit', () => copiesIn.stopWaiting());
  return copiesIn;
}

/** In the helper process (listener-copies-helper.ts): answers the server's ask; it exits when the server lets go of the channel. */
export function answerAsks(): void {
  const send = process.send?.bind(process);
  if (send === undefined) return;
  process.on('message', (message: unknown, handle?: RawHandle) => {
    if (isAsk(message) && handle !== undefined) sendCopies((m, h, cb) => send(m, h, cb), () => process.connected, handle, message.count);
  });
}
