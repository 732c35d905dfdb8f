/**
 * What the probe port needs to know about the serving event loop, shared without messages:
 * the loop writes a heartbeat and its readiness into shared memory every few milliseconds,
 * and the probe thread reads them when a probe arrives. A message would queue behind the
 * very work that delays the loop; shared memory is read at once.
 */
export interface ProbeReading {
  /** Milliseconds since the serving event loop last turned. */
  heartbeatAgeMs: number;
  /** The server's own readiness (models loaded, not shutting down), as last written. */
  ready: boolean;
}

const HEARTBEAT = 0;
const READY = 1;

export class ProbeState {
  private readonly view: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * BigInt64Array.BYTES_PER_ELEMENT)) {
    this.view = new BigInt64Array(buffer);
    if (Atomics.load(this.view, HEARTBEAT) === 0n) this.beat();
  }

  beat(now = Date.now()): void {
    Atomics.store(this.view, HEARTBEAT, BigInt(now));
  }

  setReady(ready: boolean): void {
    Atomics.store(this.view, READY, ready ? 1n : 0n);
  }

  read(now = Date.now()): ProbeReading {
    return { heartbeatAgeMs: now - Number(Atomics.load(this.view, HEARTBEAT)), ready: Atomics.load(this.view, READY) === 1n };
  }
}
