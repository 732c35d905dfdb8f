import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Tfjs from '@tensorflow/tfjs';
import { readBackendEnv } from '../../config/env.js';

export type TfModule = typeof Tfjs;
export type TfjsBackendName = 'node' | 'wasm' | 'cpu';

const require = createRequire(import.meta.url);
let loaded: Promise<{ tf: TfModule; backend: TfjsBackendName }> | undefined;

/**
 * TensorFlow.js, once per process. `@tensorflow/tfjs-node` (native libtensorflow) when it
 * is installed — its install step downloads libtensorflow, so it is an optional dependency;
 * otherwise pure @tensorflow/tfjs on WASM (faster than the plain JS CPU backend here, see
 * docs/benchmarks/tfjs-backends.md), or on CPU when asked (TFJS_BACKEND=cpu).
 */
export function loadTf(preferred: TfjsBackendName | undefined = readBackendEnv().tfjsBackend): Promise<{ tf: TfModule; backend: TfjsBackendName }> {
  loaded ??= (async () => {
    if (!preferred || preferred === 'node') {
      try {
        const tf = (await import('@tensorflow/tfjs-node' as string)) as TfModule;
        return { tf, backend: 'node' as const };
      } catch (err) {
        if (preferred === 'node') throw new Error(`TFJS_BACKEND=node but @tensorflow/tfjs-node does not load: ${(err as Error).message}`);
      }
    }
    const tf = await import('@tensorflow/tfjs');
    const backend: TfjsBackendName = preferred === 'cpu' ? 'cpu' : 'wasm';
    if (backend === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // The .wasm files sit in the package's dist/; from a file path, not a URL.
      wasm.setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/')}`);
    }
    if (!(await tf.setBackend(backend))) throw new Error(`the tfjs ${backend} backend did not initialise`);
    await tf.ready();
    return { tf, backend };
  })();
  return loaded;
}
