import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ModelServer } from './model-server.js';

/**
 * Sweeps of the drain: a socket must stay idle through this many (~2 s) to be closed. A
 * busy keep-alive client sends its next request long before that, even on a loaded
 * machine, and gets it answered with `Connection: close` instead of racing our FIN; only
 * connections a pool keeps idle are closed, where that race is rare.
 */
const IDLE_SWEEPS = 20;
const SWEEP_MS = 100;

interface ConnectionState {
  /** Requests read on this socket whose response has not finished. */
  busy: number;
  /** Consecutive sweeps that found the socket idle. */
  idleSweeps: number;
}

/**
 * Every connection of an HTTP server and whether a request is in progress on it, so a
 * shutdown can close keep-alive sockets only between requests. Installed at listen time:
 * the sockets opened before SIGTERM are exactly the ones that need care.
 */
export class ConnectionTracker {
  private readonly sockets = new Map<Socket, ConnectionState>();
  private readonly open = new Set<ServerResponse>();
  private stopping = false;

  constructor(readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.set(socket, { busy: 0, idleSweeps: 0 });
      socket.once('close', () => this.sockets.delete(socket));
    });
    // First listener of all, so whatever dispatches the request (Express, a fast path)
    // answers with `Connection: close` once the drain has begun.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const state = this.sockets.get(req.socket);
    if (state) {
      state.busy++;
      state.idleSweeps = 0;
    }
    this.open.add(res);
    if (this.stopping) res.setHeader('Connection', 'close');
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      this.open.delete(res);
      if (state) state.busy--;
    };
    res.once('finish', finished);
    res.once('close', finished);
  }

  /** From now on every answer not yet started says `Connection: close`. */
  beginDrain(): void {
    this.stopping = true;
    for (const res of this.open) if (!res.headersSent) res.setHeader('Connection', 'close');
  }

  /**
   * Closes (FIN, after the queued bytes) the sockets that stayed idle through several
   * sweeps. Sweeps are separate turns of the event loop, so a request whose bytes already
   * sat in the kernel has been read (and marked the socket busy) before its socket counts
   * as idle — even when a long synchronous task delayed the sweeps.
   */
  sweep(): void {
    for (const [socket, state] of this.sockets) {
      if (state.busy > 0) continue;
      if (++state.idleSweeps < IDLE_SWEEPS) continue;
      socket.end();
    }
  }

  /** Past the deadline: whatever is still open is cut. */
  destroyAll(): void {
    for (const socket of this.sockets.keys()) socket.destroy();
  }
}

export interface ShutdownOptions {
  server: Server;
  modelServer: ModelServer;
  logger: Logger;
  timeoutMs: number;
  /** The server's connections, tracked since it started listening. */
  connections?: ConnectionTracker;
}

/**
 * Readiness off, stop accepting connections, let in-flight requests finish — each answer
 * whole, and marked `Connection: close` — closing keep-alive sockets only between
 * requests; then unload the models. Past the timeout the remaining sockets are cut, so a
 * stuck client cannot hold a rollout forever.
 *
 * Not `server.close()`/`closeIdleConnections()`: in Node 20 they destroy a socket whose
 * response has ended while its bytes are still queued (a multi-megabyte answer arrives cut
 * off, logged as 200), and they race the client's next request on an idle keep-alive
 * socket (a reset). The listener is closed at the net level instead.
 */
export async function shutdownGracefully({ server, modelServer, logger, timeoutMs, connections }: ShutdownOptions): Promise<void> {
  modelServer.stopAccepting();
  connections?.beginDrain();
  // Connections the kernel completed while the loop was busy wait in the listen backlog;
  // closing the listener resets them. Two turns of the loop (each with a poll phase) accept
  // them first; their requests are then served with `Connection: close`.
  await new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
  const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
  const sweeper = connections ? setInterval(() => connections.sweep(), SWEEP_MS) : undefined;
  const deadline = setTimeout(() => {
    logger.warn({ timeoutMs }, 'shutdown timeout: closing the remaining connections');
    connections?.destroyAll();
    server.closeAllConnections();
  }, timeoutMs);
  try {
    // Without a tracker (an embedder's own server), fall back to Node's idle reaping.
    if (!connections) server.closeIdleConnections();
    await closed;
  } finally {
    clearInterval(sweeper);
    clearTimeout(deadline);
  }
  await modelServer.close();
  logger.info('shutdown complete');
}
