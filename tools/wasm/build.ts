/** `npm run build:wasm`: compiles the runtime's WebAssembly and writes the module that carries it (tools/wasm/records-reader.ts). */
import { writeFile } from 'node:fs/promises';
import { compileRecordsReader, MODULE, moduleText } from './records-reader.js';

const binary = await compileRecordsReader();
await writeFile(MODULE, moduleText(binary));
console.log(`wrote ${MODULE} (${binary.length} bytes of WebAssembly)`);
