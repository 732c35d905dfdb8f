/**
 * What an operator implementation is: a factory that reads a node's attributes and its
 * inputs' dtypes when the graph is compiled (and refuses what it does not implement, so the
 * model runs on onnxruntime instead), and returns the run function and its outputs' dtypes.
 */
import type { DType, Tensor } from '../../../../tensor/tensor.js';
import type { OneBuffer } from '../../../../tensor/one-buffer.js';
import type { OnnxAttribute, OnnxNode } from '../onnx-model.js';

/** The graph uses something the interpreter does not implement: it is run by onnxruntime. */
export class Unsupported extends Error {}

/** The input is not one the model can take (a shape that does not fit, an unknown category). */
export class RefusedInput extends Error {}

/**
 * Inputs in the node's order; an omitted optional input is undefined. `memory`: the run's
 * storage, where a kernel takes its numeric outputs (compile-graph.ts says why). `wanted`:
 * which of its outputs anything reads in this run; a kernel may leave the others undefined
 * (a classifier asked only for labels skips its score transform), or ignore it.
 */
export type Kernel = (inputs: readonly (Tensor | undefined)[], memory: OneBuffer, wanted: readonly boolean[]) => (Tensor | undefined)[];

export interface CompiledNode {
  run: Kernel;
  outputs: DType[];
}

export interface CompileContext {
  /** The opset the model imports for the node's domain. */
  opset: number;
  /** Each input's dtype, undefined for an omitted optional input. */
  inputTypes: readonly (DType | undefined)[];
  /** An input's value when it is an initializer (known before any request). */
  constant(index: number): Tensor | undefined;
}

export type KernelFactory = (attrs: NodeAttributes, ctx: CompileContext) => CompiledNode;

/**
 * A node's attributes, read by name. Remembers which were read: an attribute the kernel
 * never asked for is one whose meaning it does not implement, and compiling refuses it.
 */
export class NodeAttributes {
  private readonly read = new Set<string>();

  constructor(private readonly node: OnnxNode) {}

  private get(name: string): OnnxAttribute | undefined {
    this.read.add(name);
    const a = this.node.attributes.get(name);
    if (a?.unsupported) throw new Unsupported(`attribute ${name} of ${this.node.opType} is ${a.unsupported}`);
    return a;
  }

  int(name: string, fallback?: number): number {
    const a = this.get(name);
    if (a?.i !== undefined) return Number(a.i);
    if (fallback === undefined) throw new Unsupported(`${this.node.opType} has no ${name}`);
    return fallback;
  }

  string(name: string, fallback?: string): string {
    const a = this.get(name);
    if (a?.s !== undefined) return a.s;
    if (fallback === undefined) throw new Unsupported(`${this.node.opType} has no ${name}`);
    return fallback;
  }

  float(name: string, fallback: number): number {
    return this.get(name)?.f ?? fallback;
  }

  floats(name: string): number[] {
    return this.get(name)?.floats ?? [];
  }

  ints(name: string): bigint[] {
    return this.get(name)?.ints ?? [];
  }

  strings(name: string): string[] {
    return this.get(name)?.strings ?? [];
  }

  /** Attributes the node carries that the kernel did not read. */
  unread(): string[] {
    return [...this.node.attributes.keys()].filter((name) => !this.read.has(name));
  }
}

export function requireTypes(op: string, types: readonly (DType | undefined)[], allowed: readonly DType[]): void {
  for (const t of types) {
    if (t !== undefined && !allowed.includes(t)) throw new Unsupported(`${op} on ${t} tensors`);
  }
}

/** The dtype of a two-input float operator (arithmetic, MatMul): both inputs alike, float32 or float64. */
export function sameFloatType(op: string, ctx: CompileContext): DType {
  requireTypes(op, ctx.inputTypes, ['float32', 'float64']);
  const dtype = ctx.inputTypes[0]!;
  if (ctx.inputTypes[1] !== dtype) throw new Unsupported(`${op} of mixed dtypes`);
  return dtype;
}

/** Rounds to float32 when the tensor is float32: what an operation in float32 would give. */
export function rounder(dtype: DType): (v: number) => number {
  return dtype === 'float32' ? Math.fround : (v) => v;
}

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
