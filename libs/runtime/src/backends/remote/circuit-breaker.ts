import { ServingError } from '../../errors.js';

/**
 * Stops hammering a graph service that keeps failing: after `threshold` consecutive
 * failures the circuit opens and calls fail at once for `cooldownMs`; then one trial call
 * is let through (half-open) and its outcome closes or reopens the circuit.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.trialInFlight)) {
      throw new ServingError('UNAVAILABLE', `${what}: the graph service failed ${this.failures} times in a row; not calling it for ${Math.ceil(this.cooldownMs / 1000)} s`);
    }
    if (state === 'half-open') this.trialInFlight = true;
    try {
      const result = await fn();
      this.failures = 0;
      this.openedAt = undefined;
      return result;
    } catch (err) {
      if (isOutage(err)) {
        this.failures++;
        if (state === 'half-open' || this.failures >= this.threshold) this.openedAt = this.now();
      }
      throw err;
    } finally {
      if (state === 'half-open') this.trialInFlight = false;
    }
  }
}

/** A failure of the service, as opposed to a request it refused (a 4xx). */
export const isOutage = (err: unknown) => err instanceof ServingError && (err.code === 'UNAVAILABLE' || err.code === 'DEADLINE_EXCEEDED' || err.code === 'INTERNAL');
