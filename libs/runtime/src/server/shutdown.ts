import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { ModelServer } from './model-server.js';

export interface ShutdownOptions {
  server: Server;
  modelServer: ModelServer;
  logger: Logger;
  timeoutMs: number;
}

/**
 * Readiness off, stop accepting connections, let in-flight requests finish (closing
 * keep-alive sockets as they fall idle), then unload the models. Past the timeout the
 * remaining sockets are cut, so a stuck client cannot hold a rollout forever.
 */
export async function shutdownGracefully({ server, modelServer, logger, timeoutMs }: ShutdownOptions): Promise<void> {
  modelServer.stopAccepting();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const reaper = setInterval(() => server.closeIdleConnections(), 100);
  const deadline = setTimeout(() => {
    logger.warn({ timeoutMs }, 'shutdown timeout: closing the remaining connections');
    server.closeAllConnections();
  }, timeoutMs);
  try {
    server.closeIdleConnections();
    await closed;
  } finally {
    clearInterval(reaper);
    clearTimeout(deadline);
  }
  await modelServer.close();
  logger.info('shutdown complete');
}
