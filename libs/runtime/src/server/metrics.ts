// The metrics belong to the data plane, which records them once for every protocol.
export { Metrics } from '../dataplane/metrics.js';
