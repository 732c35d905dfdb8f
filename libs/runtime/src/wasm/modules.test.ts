import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { compile, MODULES, moduleText } from '../../../../tools/wasm/modules.js';

describe('the runtime\'s WebAssembly modules', () => {
  it.each(MODULES.map((m) => [m.source.slice(m.source.indexOf('assembly/')), m] as const))('%s: the committed module is what its source compiles to (npm run build:wasm)', async (_name, wasm) => {
    expect(await readFile(wasm.module, 'utf8')).toBe(moduleText(wasm, await compile(wasm)));
  }, 60_000);
});
