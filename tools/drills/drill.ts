/** What each drill reports; the report prints these as they are. */
export interface DrillResult {
  name: string;
  /** The promise the drill checks, in one sentence. */
  promise: string;
  held: boolean;
  requests: number;
  failures: Record<string, number>;
  fiveXX: number;
  crashes: number;
  maxProbeMs?: number;
  rssPeakMiB?: number;
  /** Further measured figures, by name. */
  figures: Record<string, string | number>;
  seconds: number;
}
