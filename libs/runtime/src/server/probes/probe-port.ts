import type { Logger } from 'pino';
import type { Worker } from 'node:worker_threads';
import { siblingModule, spawnWorker } from '../../threads/spawn-worker.js';
import { ProbeState } from './probe-state.js';
import type { ProbeWorkerData, ProbeWorkerMessage } from './probe-worker.js';

/** How often the serving loop writes its heartbeat and readiness. */
const BEAT_MS = 50;

export interface ProbePortOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** The serving loop is not live after this long without a turn (LIVENESS_STALL_MS). */
  stallMs: number;
  logger: Logger;
}

export interface ProbePort {
  port: number;
  /** Where readiness comes from, once the server exists; until then the port says not ready. */
  readiness(ready: () => boolean): void;
  close(): Promise<void>;
}

/**
 * PROBE_PORT: Kubernetes' probes answered on their own port by their own thread. On the main
 * port a probe is one more request on the event loop: under overload it waits behind every
 * request read in the same turn (p99 115 ms at c=256 on 2 cores, docs/reliability.md), and
 * a kubelet with a 1 s timeout starts killing pods that are merely busy. Here the serving
 * loop only writes a heartbeat and its readiness into shared memory every 50 ms; the probe
 * thread reads them, so a busy loop answers at once and a stuck one fails liveness.
 */
export async function startProbePort(options: ProbePortOptions): Promise<ProbePort> {
  const state = new ProbeState();
  let ready: () => boolean = () => false;
  const beat = () => {
    state.beat();
    state.setReady(ready());
  };
  const timer = setInterval(beat, BEAT_MS);
  timer.unref();

  const workerData: ProbeWorkerData = { buffer: state.buffer, host: options.host, port: options.port, stallMs: options.stallMs };
  const worker: Worker = spawnWorker(siblingModule('probe-worker', import.meta.url), { workerData });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (msg: ProbeWorkerMessage) => ('listening' in msg ? resolve(msg.listening) : reject(new Error(`the probe port ${options.port} cannot listen: ${msg.error}`))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the probe thread exited (code ${code}) before listening`)));
  });
  // Probes are not worth keeping the process up for, nor worth dying for.
  worker.unref();
  worker.on('error', (err) => options.logger.error({ err }, 'the probe thread failed; probes on PROBE_PORT stop answering'));
  options.logger.info({ probePort: port, stallMs: options.stallMs }, 'probes answered on their own port');
  return {
    port,
    readiness: (fn) => {
      ready = fn;
      beat();
    },
    close: async () => {
      clearInterval(timer);
      await worker.terminate();
    },
  };
}
