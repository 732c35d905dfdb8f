/** One model version on TF Serving, and how patiently to call it. */
export interface ClientOptions {
  /** REST: http://host:8501; gRPC: host:8500. */
  address: string;
  model: string;
  version: number;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
}
