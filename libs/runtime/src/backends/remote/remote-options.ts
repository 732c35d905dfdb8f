import { z } from 'zod';

/**
 * The settings every remote backend's block shares: how long to wait, how often to retry,
 * when to stop calling (the circuit breaker) and how often to ask whether the peer serves.
 */
export const remoteOptionsShape = {
  /** Per attempt; a stuck graph service becomes a 503 after this, not a hung request. */
  timeoutMs: z.number().int().positive().default(2000),
  /** Further attempts after a connection failure or a 503, with exponential backoff. */
  retries: z.number().int().min(0).max(5).default(2),
  backoffMs: z.number().int().min(0).default(50),
  /** Consecutive failures that open the circuit, and how long it stays open. */
  breakerThreshold: z.number().int().positive().default(5),
  breakerCooldownMs: z.number().int().positive().default(5000),
  /** How often the graph service's model status is polled for readiness. */
  statusPollMs: z.number().int().positive().default(2000),
};
