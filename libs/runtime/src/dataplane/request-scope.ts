import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { Protocol } from '../inference/hooks.js';

export type ScopeProtocol = Protocol | 'ops' | `grpc:${string}`;

/**
 * One request as the data plane sees it, whatever carried it: who it is (request id),
 * what it resolved to (model, version: the metric labels), and what it holds (its
 * admission slot). No child logger is built unless something actually logs.
 */
export class RequestScope {
  model?: string;
  version?: number;
  /** performance.now() at the start: a double, where hrtime.bigint() allocated a BigInt per request and per read. */
  readonly started = performance.now();
  /** The caller's headers, where HTTP carried the request (the canary's sticky key reads one). */
  headers?: IncomingHttpHeaders;
  /** Where the request fell in [0, 100) of the canary split: drawn once, so every resolution agrees. */
  trafficPoint?: number;
  /** Released when the request finishes, whichever way. */
  release: (() => void) | undefined;
  private child: Logger | undefined;

  constructor(
    public protocol: ScopeProtocol,
    readonly requestId: string,
    private readonly baseLog: Logger,
  ) {}

  /** A logger carrying the request id, made on first use (hooks, errors), not per request. */
  get log(): Logger {
    return (this.child ??= this.baseLog.child({ requestId: this.requestId }));
  }

  get seconds(): number {
    return (performance.now() - this.started) / 1e3;
  }
}
