/**
 * Records the URL of every module this thread loads from now on, through a module loader
 * hook (node:module register): ES modules, and CommonJS packages imported from them (their
 * entry file; what they require() internally is not seen). For the memory test, which
 * asserts on what an app loaded, not on timing.
 */
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

// The hook runs on the loader thread and reports each URL back over a port.
const HOOKS = `
let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, next) {
  port.postMessage(url);
  return next(url, context);
}`;

const seen = new Set<string>();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url: string) => seen.add(url));
port1.unref();
register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { port: port2 }, transferList: [port2] });

/** Every module URL loaded on this thread since this module was evaluated. */
export const loadedModules = (): string[] => [...seen];

/** The npm packages among them, by name ("express", "@grpc/grpc-js"). */
export function loadedPackages(): string[] {
  const names = new Set<string>();
  for (const url of seen) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m) names.add(m[1]!);
  }
  return [...names].sort();
}
