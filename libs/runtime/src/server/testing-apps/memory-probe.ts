/**
 * An app entry for the memory test: serves MODEL and is used as a serving pod is (a readiness
 * probe, a /metrics scrape, a prediction), idles, then prints one JSON line with its RSS, its
 * thread count, the answers' statuses, the packages and runtime modules its main thread
 * loaded, and, with PROBE_GET set, the status of that GET and what was loaded after it; then
 * stops.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadedModules, loadedPackages } from './record-loads.js';

// Imported only once the loader hook records, so the whole graph of serve.js is seen.
const { serve } = await import('../serve.js');

const model = process.env['MODEL'] ?? 'iris';
const running = await serve({ model, handleSignals: false });
const statusOf = async (path: string, init?: RequestInit) => {
  const res = await fetch(`${running.url}${path}`, init);
  await res.arrayBuffer();
  return res.status;
};
const served = {
  ready: await statusOf('/v2/health/ready'),
  metrics: await statusOf('/metrics'),
  // A request body for the model from PROBE_PREDICT (a v1 :predict body), if given.
  ...(process.env['PROBE_PREDICT'] && { predict: await statusOf(`/v1/models/${model}:predict`, { method: 'POST', body: process.env['PROBE_PREDICT'] }) }),
};
await new Promise((r) => setTimeout(r, Number(process.env['IDLE_MS'] ?? 1000)));
const status = readFileSync('/proc/self/status', 'utf8');
const kb = (key: string) => Number(status.match(new RegExp(`${key}:\\s+(\\d+)`))![1]);
const runtimeSrc = new URL('../../', import.meta.url).href;
const snapshot = () => ({
  packages: loadedPackages(),
  // ESM imports of CommonJS packages (grpc-js, proto-loader) also go through require's cache.
  required: [...new Set(Object.keys(createRequire(import.meta.url).cache).flatMap((k) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(k)?.[1] ?? []))].sort(),
  runtimeModules: loadedModules()
    .filter((u) => u.startsWith(runtimeSrc))
    .map((u) => u.slice(runtimeSrc.length).split('?')[0]!)
    .sort(),
});
const idle = snapshot();
let after: (ReturnType<typeof snapshot> & { status: number }) | undefined;
const path = process.env['PROBE_GET'];
if (path) after = { status: await statusOf(path), ...snapshot() };
process.stdout.write(
  `${JSON.stringify({
    rssMb: Math.round(kb('VmRSS') / 1024),
    threads: kb('Threads'),
    grpcPort: running.grpcPort ?? null,
    served,
    ...idle,
    ...(after && { after }),
  })}\n`,
);
await running.shutdown();
process.exit(0);
