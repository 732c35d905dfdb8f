/**
 * Multi-process mode (PROCESSES=N|auto): one event loop parses JSON for at most one core, so
 * a batch-heavy app runs N server processes on one port with node:cluster. The primary loads
 * no model: it forks the processes, accepts connections and hands them out round-robin
 * (node:cluster's default scheduling on Linux), forwards
 * SIGTERM (Kubernetes signals only PID 1), replaces a process that dies, and answers the
 * processes' requests for /metrics summed over all of them. Each process is a whole server
 * (models, routes, its own readiness: it listens only once its models are loaded).
 */
import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:http';
import type { Logger } from 'pino';
import client from 'prom-client';
import type { ServerEnv } from '../config/env.js';
import type { Metrics } from './metrics.js';
import { ClusterProbeState, isProbeReport } from './probes/cluster-probes.js';
import { probeHandler } from './probes/probe-handler.js';

const METRICS_REQUEST = 'modelyard:cluster-metrics-request';
const METRICS_REPLY = 'modelyard:cluster-metrics-reply';
const COLLECT = 'modelyard:collect-metrics';
const COLLECTED = 'modelyard:collected-metrics';
const JOINED = 'modelyard:metrics-joined';

/** A server process asks the primary for the summed metrics; the primary answers. */
interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: number;
}
interface MetricsReply {
  type: typeof METRICS_REPLY;
  id: number;
  text?: string;
  error?: string;
}
/** The primary asks each joined process for its registry; each answers with it as JSON. */
interface Collect {
  type: typeof COLLECT;
  id: number;
}
interface Collected {
  type: typeof COLLECTED;
  id: number;
  metrics: client.MetricObjectWithValues<client.MetricValue<string>>[];
}
type FromServerProcess = MetricsRequest | Collected | { type: typeof JOINED };

/** How long the primary waits for each process's registry; a process that misses it is left out of that scrape. */
const COLLECT_TIMEOUT_MS = 3_000;

/** True in the primary of a multi-process server: it supervises and serves nothing itself. */
export const isProcessPrimary = (env: Pick<ServerEnv, 'processes'>): boolean => env.processes > 1 && cluster.isPrimary;

/** A process that dies this soon after its start is restarted after a pause, not in a tight loop. */
const QUICK_DEATH_MS = 10_000;
const RESTART_PAUSE_MS = 1_000;

/**
 * The primary: forks `env.processes` servers and supervises them. Never resolves; the
 * process exits once every server has drained after SIGTERM/SIGINT (0 when all exited 0).
 */
export function runPrimary(env: ServerEnv, logger: Logger): Promise<never> {
  const started = new Map<Worker, number>();
  // Processes whose registry can be collected: a process joins once its models are loaded.
  const joined = new Set<Worker>();
  let stopping = false;
  let exitCode = 0;
  let nextCollect = 1;
  const collecting = new Map<number, (worker: Worker, metrics: Collected['metrics']) => void>();
  const probes = new ClusterProbeState();

  /** Every joined process's registry, summed as prom-client's AggregatorRegistry does. */
  const collect = async (): Promise<string> => {
    const id = nextCollect++;
    const targets = [...joined].filter((w) => w.isConnected());
    const replies: Collected['metrics'][] = [];
    await new Promise<void>((resolve) => {
      const pending = new Set(targets);
      const timer = setTimeout(() => {
        logger.warn({ missing: [...pending].map((w) => w.process.pid) }, 'server processes did not report metrics in time; left out of this scrape');
        resolve();
      }, COLLECT_TIMEOUT_MS);
      const done = () => pending.size === 0 && (clearTimeout(timer), resolve());
      collecting.set(id, (worker, metrics) => {
        if (!pending.delete(worker)) return;
        replies.push(metrics);
        done();
      });
      for (const w of targets) w.send({ type: COLLECT, id } satisfies Collect);
      done();
    });
    collecting.delete(id);
    return client.AggregatorRegistry.aggregate(replies).metrics();
  };

  const fork = () => {
    const worker = cluster.fork();
    started.set(worker, Date.now());
    probes.forked(worker);
    worker.on('message', (msg: FromServerProcess) => {
      if (isProbeReport(msg)) probes.report(worker, msg);
      else if (msg?.type === JOINED) joined.add(worker);
      else if (msg?.type === COLLECTED) collecting.get(msg.id)?.(worker, msg.metrics);
      else if (msg?.type === METRICS_REQUEST) {
        collect().then(
          (text) => worker.isConnected() && worker.send({ type: METRICS_REPLY, id: msg.id, text } satisfies MetricsReply),
          (err: Error) => worker.isConnected() && worker.send({ type: METRICS_REPLY, id: msg.id, error: err.message } satisfies MetricsReply),
        );
      }
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (started.get(worker) ?? 0);
    started.delete(worker);
    joined.delete(worker);
    probes.exited(worker);
    if (stopping) {
      if (code !== 0) exitCode = 1;
      if (started.size === 0) {
        logger.info({ exitCode }, 'every server process has stopped');
        process.exit(exitCode);
      }
      return;
    }
    const pause = lived < QUICK_DEATH_MS ? RESTART_PAUSE_MS : 0;
    logger.error({ pid: worker.process.pid, code, signal, restartInMs: pause }, 'server process exited unexpectedly; starting a replacement');
    setTimeout(fork, pause);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, processes: started.size }, 'shutting down: every server process drains its in-flight requests');
    for (const worker of started.keys()) worker.process.kill('SIGTERM');
    if (started.size === 0) process.exit(0);
    // Each process bounds its own drain by SHUTDOWN_TIMEOUT_MS; this is the backstop.
    setTimeout(() => {
      logger.error('server processes did not stop in time; killing them');
      for (const worker of started.keys()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, env.shutdownTimeoutMs + 5_000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  if (env.probePort !== undefined) {
    // The primary serves no request, so its own loop answers the probes at once.
    const probeServer = createServer(probeHandler(() => probes.read(), env.livenessStallMs));
    probeServer.on('error', (err) => logger.error({ err, probePort: env.probePort }, 'the probe port cannot listen'));
    probeServer.listen(env.probePort, env.host, () => logger.info({ probePort: env.probePort }, 'probes answered on their own port by the primary'));
  }
  logger.info({ processes: env.processes }, 'starting server processes');
  for (let i = 0; i < env.processes; i++) fork();
  return new Promise<never>(() => undefined);
}

/**
 * In a server process of a multi-process server: the primary may collect this process's
 * registry, and /metrics renders the sum over every process (asked of the primary).
 */
export function joinClusterMetrics(metrics: Metrics, timeoutMs = 6_000): void {
  if (!cluster.isWorker) return;
  process.on('message', (msg: Collect) => {
    if (msg?.type !== COLLECT) return;
    void metrics.registry.getMetricsAsJSON().then((json) => process.send!({ type: COLLECTED, id: msg.id, metrics: json } satisfies Collected));
  });
  process.send!({ type: JOINED });

  let nextId = 1;
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  process.on('message', (msg: MetricsReply) => {
    if (msg?.type !== METRICS_REPLY) return;
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.text !== undefined) w.resolve(msg.text);
    else w.reject(new Error(`collecting metrics from the server processes failed: ${msg.error}`));
  });
  metrics.render = () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('the primary process did not answer the metrics request in time'));
      }, timeoutMs);
      waiting.set(id, {
        resolve: (text) => (clearTimeout(timer), resolve(text)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
      process.send!({ type: METRICS_REQUEST, id } satisfies MetricsRequest);
    });
}
