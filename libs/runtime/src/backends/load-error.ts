/**
 * A load that failed for a reason that may pass by itself (the graph service is not up
 * yet): the repository tries the version again on its next poll instead of waiting for
 * the artifact to change, which is what it does with every other failed load.
 */
export class RetryLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryLoadError';
  }
}

export const isRetryLoad = (err: unknown): err is RetryLoadError => err instanceof RetryLoadError;
