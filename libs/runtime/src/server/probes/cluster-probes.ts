/**
 * PROBE_PORT with PROCESSES > 1: the primary answers the probes. It serves no request, so
 * its loop is free; each server process reports a heartbeat and its readiness over the
 * cluster's IPC channel, sent from its own loop — a message that does not arrive is a loop
 * that did not turn.
 */
import type { Worker } from 'node:cluster';
import type { ProbeReading } from './probe-state.js';

const PROBE = 'modelyard:probe';
const REPORT_MS = 200;

export interface ProbeReport {
  type: typeof PROBE;
  ready: boolean;
}

export const isProbeReport = (msg: unknown): msg is ProbeReport => (msg as ProbeReport | undefined)?.type === PROBE;

/** In the primary: the last report of every server process. */
export class ClusterProbeState {
  private readonly processes = new Map<Worker, { at: number; ready: boolean }>();

  /** A new process counts as having turned at its fork, so a starting pod is live. */
  forked(worker: Worker, now = Date.now()): void {
    this.processes.set(worker, { at: now, ready: false });
  }

  report(worker: Worker, report: ProbeReport, now = Date.now()): void {
    this.processes.set(worker, { at: now, ready: report.ready });
  }

  exited(worker: Worker): void {
    this.processes.delete(worker);
  }

  /**
   * Live while every process turns (the cluster hands connections round-robin, so one
   * stuck process fails a share of all requests); ready while any process is ready.
   */
  read(now = Date.now()): ProbeReading {
    let oldest = 0;
    let ready = false;
    for (const p of this.processes.values()) {
      oldest = Math.max(oldest, now - p.at);
      ready ||= p.ready;
    }
    return { heartbeatAgeMs: oldest, ready };
  }
}

/** In a server process: report to the primary until the process ends. */
export function reportProbesToPrimary(): { readiness(ready: () => boolean): void; close(): Promise<void> } {
  let ready: () => boolean = () => false;
  const send = () => process.connected && process.send!({ type: PROBE, ready: ready() } satisfies ProbeReport);
  const timer = setInterval(send, REPORT_MS);
  timer.unref();
  send();
  return {
    readiness: (fn) => {
      ready = fn;
      send();
    },
    close: async () => clearInterval(timer),
  };
}
