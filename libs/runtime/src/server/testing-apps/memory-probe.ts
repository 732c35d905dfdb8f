/**
 * An app entry for the memory test: serves MODEL, idles, then prints one JSON line with its
 * RSS, its pool's thread count and whether gRPC code was loaded, and stops.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { serve } from '../serve.js';

const running = await serve({ model: process.env['MODEL'] ?? 'iris', handleSignals: false });
await new Promise((r) => setTimeout(r, Number(process.env['IDLE_MS'] ?? 1000)));
const status = readFileSync('/proc/self/status', 'utf8');
const kb = (key: string) => Number(status.match(new RegExp(`${key}:\\s+(\\d+)`))![1]);
// ESM imports of CommonJS packages (grpc-js, proto-loader) go through require's cache.
// (protobufjs alone is not a sign of gRPC: the console reads ONNX files with it.)
const loaded = Object.keys(createRequire(import.meta.url).cache);
process.stdout.write(
  `${JSON.stringify({
    rssMb: Math.round(kb('VmRSS') / 1024),
    threads: kb('Threads'),
    grpcLoaded: loaded.some((k) => k.includes('/@grpc/')),
    grpcPort: running.grpcPort ?? null,
  })}\n`,
);
await running.shutdown();
process.exit(0);
