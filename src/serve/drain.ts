import type { Server as HttpServer, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/**
 * A lame-duck period before an HTTP server closes. Node's `http.Server.close()` destroys every idle
 * keep-alive connection at once, so a request a client had just sent on one was lost in a reset: the
 * client can't tell whether it was answered (4–8 a shutdown under 16 busy clients). While draining, the
 * server no longer accepts connections, but answers whatever still comes on the open ones, each answer
 * closing its connection; it ends when the clients have all closed theirs, or after the grace period.
 */
export class Drain {
  private readonly open = new Set<Socket>();
  private draining = false;
  private emptied: (() => void) | undefined;

  constructor(private readonly server: HttpServer) {
    // Connections accepted on copies of the listening socket are emitted here too.
    server.on('connection', (socket: Socket) => {
      this.open.add(socket);
      socket.once('close', () => {
        this.open.delete(socket);
        if (this.open.size === 0) this.emptied?.();
      });
    });
    // Ahead of the framework's own listener: an answer given while draining closes its connection. Nothing
    // is kept per request: a set of the unanswered responses, each removed on its 'close', kept ~1.4 MB of
    // them alive through every young-generation GC and cost ~8 µs a request (docs/benchmarks.md).
    server.prependListener('request', (_request, response) => {
      if (this.draining) response.shouldKeepAlive = false;
    });
  }

  /** True once draining has begun (readiness then answers 503, so a load balancer stops sending). */
  get active(): boolean {
    return this.draining;
  }

  /** Stops accepting and waits until every connection is closed, or `graceMs` passes. */
  async start(graceMs: number): Promise<void> {
    this.draining = true;
    // Answers under way close their connections too: each connection's current response is Node's `_httpMessage`.
    for (const socket of this.open) {
      const response = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
      if (response !== null && response !== undefined && !response.headersSent) response.shouldKeepAlive = false;
    }
    // net's close, not http's: it stops the listening socket and leaves the connections to finish.
    if (this.server.listening) NetServer.prototype.close.call(this.server);
    if (this.open.size === 0 || graceMs <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.emptied = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.emptied = undefined;
  }
}
