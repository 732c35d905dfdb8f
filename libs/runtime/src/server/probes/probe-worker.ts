/**
 * The probe port's thread: a tiny HTTP server that answers Kubernetes probes from shared
 * memory, so a probe never waits behind the requests queued on the serving event loop.
 */
import { createServer } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { probeHandler } from './probe-handler.js';
import { ProbeState } from './probe-state.js';

export interface ProbeWorkerData {
  buffer: SharedArrayBuffer;
  host: string;
  port: number;
  stallMs: number;
}

/** What the thread tells the server: where it listens, or why it cannot. */
export type ProbeWorkerMessage = { listening: number } | { error: string };

const { buffer, host, port, stallMs } = workerData as ProbeWorkerData;
const state = new ProbeState(buffer);
const server = createServer(probeHandler(() => state.read(), stallMs));
server.keepAliveTimeout = 65_000;
server.once('error', (err) => parentPort!.postMessage({ error: err.message } satisfies ProbeWorkerMessage));
server.listen(port, host, () => {
  const address = server.address();
  parentPort!.postMessage({ listening: typeof address === 'object' && address ? address.port : port } satisfies ProbeWorkerMessage);
});
// The thread lives as long as the process; the server's handle keeps it running.
