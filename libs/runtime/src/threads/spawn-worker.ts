import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module given as a URL relative to the caller's own module
 * (`new URL('./x.js', import.meta.url)`). Built, the URL names the .js file beside the
 * caller. Run from source (tsx, vitest) it names a .ts file, and on Node 20 a worker thread
 * gets neither the parent's loader hooks nor `--import` through execArgv, so a two-line
 * bootstrap registers tsx first.
 */
export function spawnWorker(moduleUrl: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (!moduleUrl.pathname.endsWith('.ts')) return new Worker(moduleUrl, options);
  // Resolved from here, not from the eval's working directory; the ESM entry, not the CJS one.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(moduleUrl.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** `./name.js` or `./name.ts` beside `base` (an import.meta.url), whichever the caller itself is. */
export function siblingModule(name: string, base: string): URL {
  return new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}
