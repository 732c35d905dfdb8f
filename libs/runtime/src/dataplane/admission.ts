import type { AdmissionConfig } from '../config/schema.js';
import { Overloaded } from '../errors.js';

/**
 * A bounded admission queue for one model. Requests are counted from the moment their
 * route is known (before the body is read, so a flood costs no parsing), rows once the
 * body is decoded. Past either bound the request is refused at once with Overloaded
 * (503 + Retry-After) instead of waiting in an unbounded queue.
 */
export class Admission {
  private requests = 0;
  private rows = 0;

  constructor(
    readonly model: string,
    private readonly config: AdmissionConfig,
  ) {}

  get inFlight(): number {
    return this.requests;
  }

  /** Takes a request slot; the returned function gives it back (idempotent). */
  enter(): () => void {
    if (this.requests >= this.config.maxInFlight) {
      throw new Overloaded(this.model, `${this.requests} requests in flight, admission.maxInFlight is ${this.config.maxInFlight}`, this.config.retryAfterSeconds);
    }
    this.requests++;
    let held = true;
    return () => {
      if (held) {
        held = false;
        this.requests--;
      }
    };
  }

  /** Reserves decoded rows until the backend is done with them. */
  reserveRows(n: number): () => void {
    // Alone, any size goes: a single large request must never be refused by this bound.
    if (this.rows > 0 && this.rows + n > this.config.maxQueuedRows) {
      throw new Overloaded(this.model, `${this.rows} rows queued, admission.maxQueuedRows is ${this.config.maxQueuedRows}`, this.config.retryAfterSeconds);
    }
    this.rows += n;
    let held = true;
    return () => {
      if (held) {
        held = false;
        this.rows -= n;
      }
    };
  }
}
