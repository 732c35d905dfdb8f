/** `npm run build:wasm`: compiles the runtime's WebAssembly and writes the modules that carry it (tools/wasm/modules.ts). */
import { writeFile } from 'node:fs/promises';
import { compile, MODULES, moduleText } from './modules.js';

for (const wasm of MODULES) {
  const binary = await compile(wasm);
  await writeFile(wasm.module, moduleText(wasm, binary));
  console.log(`wrote ${wasm.module} (${binary.length} bytes of WebAssembly)`);
}
