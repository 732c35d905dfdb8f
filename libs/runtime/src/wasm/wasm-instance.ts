/**
 * One of the runtime's WebAssembly modules (libs/runtime/assembly/, carried as base64 in a
 * `*.wasm.ts` module) instantiated, with typed views of its memory that follow it when it
 * grows. Compiled on first use: a server that never needs a module never holds it.
 */

/**
 * The part of the WebAssembly API used here, typed here: the TypeScript lib this project
 * compiles against (ES2023 and @types/node, no DOM) does not declare it.
 */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** What every module exports: its memory, and where the JS side may start placing things. */
export interface BaseExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
}

const PAGE = 65536;

export class WasmInstance<E extends BaseExports> {
  readonly exports: E;
  /** The first 16-byte-aligned address after the module's own data. */
  readonly free: number;
  bytes!: Uint8Array;
  ints!: Int32Array;
  floats!: Float32Array;
  doubles!: Float64Array;

  constructor(base64: string) {
    this.exports = new wasm.Instance(new wasm.Module(Buffer.from(base64, 'base64')), {}).exports as E;
    this.free = align16(this.exports.heapBase());
    this.ensure(this.free);
  }

  /** Grows the memory to at least `bytes`, and renews the views if it grew. */
  ensure(bytes: number): void {
    const memory = this.exports.memory;
    const short = bytes - memory.buffer.byteLength;
    if (short > 0) memory.grow(Math.ceil(short / PAGE));
    if (this.bytes?.buffer !== memory.buffer) {
      this.bytes = new Uint8Array(memory.buffer);
      this.ints = new Int32Array(memory.buffer);
      this.floats = new Float32Array(memory.buffer);
      this.doubles = new Float64Array(memory.buffer);
    }
  }
}

export const align16 = (n: number) => (n + 15) & ~15;
