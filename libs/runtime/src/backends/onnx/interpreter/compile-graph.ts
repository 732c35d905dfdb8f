/**
 * An ONNX graph compiled for the interpreter: every node checked against what the operator
 * implementations understand (types, attributes, opsets) before any request, values laid
 * out in slots, then run node by node in the graph's order (ONNX requires it topological).
 * A graph with anything not understood is not compiled: `unsupported` says what, and the
 * model runs on onnxruntime.
 */
import type { DType, NamedTensors, Signature, Tensor, TensorData, TensorSpec } from '../../../tensor/tensor.js';
import { OneBuffer } from '../../../tensor/one-buffer.js';
import { shapeFits } from '../../conform.js';
import { NodeAttributes, RefusedInput, shapeText, Unsupported, type Kernel } from './ops/kernel.js';
import { operator } from './ops/registry.js';
import type { OnnxModel, OnnxValue } from './onnx-model.js';

interface Step {
  run: Kernel;
  inputs: number[];
  outputs: number[];
}

export interface CompiledGraph {
  signature: Signature;
  run(inputs: NamedTensors, outputs?: readonly string[]): NamedTensors;
}

export type Compilation = { graph: CompiledGraph } | { unsupported: string };

function specOf(value: OnnxValue, role: string): TensorSpec {
  if ('unsupported' in value) throw new Unsupported(`${role} "${value.name}": ${value.unsupported}`);
  // A declared rank of 0 reads as "no rank", as onnxruntime's metadata reports it (ort-convert.ts).
  const shape = value.spec.shape && value.spec.shape.length > 0 ? value.spec.shape : null;
  return { ...value.spec, shape };
}

export function compileGraph(model: OnnxModel): Compilation {
  try {
    return { graph: compile(model) };
  } catch (err) {
    if (err instanceof Unsupported) return { unsupported: err.message };
    throw err;
  }
}

function compile(model: OnnxModel): CompiledGraph {
  if (model.unsupported.length > 0) throw new Unsupported(model.unsupported.join('; '));
  const inputs = model.inputs.map((v) => specOf(v, 'input'));
  const outputs = model.outputs.map((v) => specOf(v, 'output'));
  for (const input of inputs) {
    if (model.initializers.has(input.name)) throw new Unsupported(`input "${input.name}" has a default value (an initializer)`);
  }

  const slot = new Map<string, number>();
  const types: DType[] = [];
  const template: (Tensor | undefined)[] = [];
  /** A new slot for `name`, which must not have one yet; returns its index. */
  const define = (name: string, dtype: DType, value?: Tensor): number => {
    if (slot.has(name)) throw new Unsupported(`value "${name}" is defined twice`);
    slot.set(name, types.length);
    template.push(value);
    return types.push(dtype) - 1;
  };
  for (const input of inputs) define(input.name, input.dtype);
  for (const [name, value] of model.initializers) define(name, value.dtype, value);

  const steps: Step[] = [];
  for (const node of model.nodes) {
    const opset = model.opsets.get(node.domain);
    if (opset === undefined) throw new Unsupported(`node "${node.name}" uses domain "${node.domain}", which the model does not import`);
    const factory = operator(node.domain, node.opType, opset);
    const inputSlots = node.inputs.map((name) => {
      if (name === '') return -1;
      const at = slot.get(name);
      if (at === undefined) throw new Unsupported(`node "${node.name}" reads "${name}" before anything defines it`);
      return at;
    });
    const attrs = new NodeAttributes(node);
    const compiled = factory(attrs, {
      opset,
      inputTypes: inputSlots.map((at) => (at < 0 ? undefined : types[at])),
      constant: (i) => (inputSlots[i]! < 0 ? undefined : template[inputSlots[i]!]),
    });
    const unread = attrs.unread();
    if (unread.length > 0) throw new Unsupported(`${node.opType} attribute(s) ${unread.join(', ')}`);
    if (compiled.outputs.length < node.outputs.length) throw new Unsupported(`${node.opType} with ${node.outputs.length} outputs`);
    const outputSlots = node.outputs.map((name, i) => define(name || `(unnamed output ${i} of ${node.name})`, compiled.outputs[i]!));
    steps.push({ run: compiled.run, inputs: inputSlots, outputs: outputSlots });
  }
  for (const output of outputs) {
    const at = slot.get(output.name);
    if (at === undefined) throw new Unsupported(`output "${output.name}" is not computed by any node`);
    if (types[at] !== output.dtype) throw new Unsupported(`output "${output.name}" is declared ${output.dtype} but computed as ${types[at]}`);
  }
  return new Graph({ inputs, outputs }, slot, template, steps);
}

/** The most a graph keeps between runs: ~16 bytes a value of a 100-row run of 32 inputs needs 64 KB. */
const SCRATCH_MAX_BYTES = 1 << 20;

class Graph implements CompiledGraph {
  private readonly inputNames: Set<string>;
  /** Each declared input's slot, in the signature's order. */
  private readonly inputSlots: number[];
  /** Bytes the last run's kernels took per input value: sizes the next run's memory. */
  private bytesPerInputValue = 0;
  /** What each set of requested outputs needs, by the outputs' names (see needs()). */
  private readonly plans = new Map<string, RunPlan>();
  /** The runs' memory, kept from one to the next (see run()). */
  private scratch: ArrayBuffer | undefined;

  constructor(
    readonly signature: Signature,
    private readonly slot: Map<string, number>,
    private readonly template: readonly (Tensor | undefined)[],
    private readonly steps: readonly Step[],
  ) {
    this.inputNames = new Set(signature.inputs.map((s) => s.name));
    this.inputSlots = signature.inputs.map((s) => slot.get(s.name)!);
  }

  run(inputs: NamedTensors, outputs?: readonly string[]): NamedTensors {
    const values = this.template.slice();
    let inputValues = 0;
    const specs = this.signature.inputs;
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i]!;
      const t = inputs[spec.name];
      if (!t) throw new RefusedInput(`input "${spec.name}" is missing`);
      checkInput(spec, t);
      values[this.inputSlots[i]!] = t;
      inputValues += t.data.length;
    }
    // Every declared input is there, so only a count above theirs can hide an unknown name.
    let given = 0;
    for (const _ in inputs) given++;
    if (given > specs.length) {
      const extra = Object.keys(inputs).find((name) => !this.inputNames.has(name));
      throw new RefusedInput(`the model has no input "${extra}"`);
    }
    const plan = this.needs(outputs);
    // The kernels' numeric outputs are views of one ArrayBuffer, sized from the last run (a
    // kernel that finds no room left gets an array of its own). Each array beyond 64 bytes
    // otherwise gets a backing store V8 tracks and sweeps by itself: ~0.75 µs apiece here, a
    // third of a one-record run. Up to SCRATCH_MAX_BYTES the buffer is the graph's own, kept
    // from run to run (a new 64 KB one cost ~20 µs of a 100-row run, zeroing it again ~3), and
    // the outputs that live in it are copied out below; a larger run gets a buffer of its own,
    // which its outputs keep alive until they are answered.
    const memory = this.memoryFor(Math.ceil(this.bytesPerInputValue * inputValues));
    for (let s = 0; s < this.steps.length; s++) {
      const wanted = plan.wanted[s];
      if (!wanted) continue;
      const step = this.steps[s]!;
      const args = new Array<Tensor | undefined>(step.inputs.length);
      for (let i = 0; i < args.length; i++) args[i] = step.inputs[i]! < 0 ? undefined : values[step.inputs[i]!];
      const results = step.run(args, memory, wanted);
      for (let i = 0; i < step.outputs.length; i++) values[step.outputs[i]!] = results[i];
    }
    if (inputValues > 0) this.bytesPerInputValue = memory.requested / inputValues;
    const out: NamedTensors = {};
    for (const spec of plan.outputs) {
      const t = values[this.slot.get(spec.name)!]!;
      // The next run writes over the scratch: an answer that lives there leaves with a copy.
      const data = t.data;
      out[spec.name] = this.scratch !== undefined && !Array.isArray(data) && (data as Exclude<TensorData, string[]>).buffer === this.scratch ? { ...t, data: data.slice() as TensorData } : t;
    }
    return out;
  }

  /** The run's memory: the kept scratch (grown if the run needs more), or a buffer of its own beyond SCRATCH_MAX_BYTES. */
  private memoryFor(bytes: number): OneBuffer {
    if (bytes > SCRATCH_MAX_BYTES) return new OneBuffer(bytes);
    if (!this.scratch || this.scratch.byteLength < bytes) this.scratch = new ArrayBuffer(Math.min(SCRATCH_MAX_BYTES, Math.max(1024, bytes * 1.25)));
    return new OneBuffer(this.scratch);
  }

  /**
   * The steps a set of requested outputs needs (walking back from them), and which outputs of
   * each step are read, as onnxruntime runs only what the fetched outputs depend on: a request
   * for a classifier's labels alone skips its score transform, and a node only an unrequested
   * output depends on is not run. Worked out once per set of names.
   */
  private needs(outputs: readonly string[] | undefined): RunPlan {
    const key = outputs ? outputs.join('\0') : '';
    let plan = this.plans.get(key);
    if (plan) return plan;
    const specs = outputs ? this.signature.outputs.filter((s) => outputs.includes(s.name)) : this.signature.outputs;
    if (outputs) {
      for (const name of outputs) if (!specs.some((s) => s.name === name)) throw new RefusedInput(`the model has no output "${name}"`);
    }
    const needed = new Set(specs.map((s) => this.slot.get(s.name)!));
    const wanted: (boolean[] | undefined)[] = new Array(this.steps.length);
    for (let s = this.steps.length - 1; s >= 0; s--) {
      const step = this.steps[s]!;
      if (!step.outputs.some((slot) => needed.has(slot))) continue;
      wanted[s] = step.outputs.map((slot) => needed.has(slot));
      for (const slot of step.inputs) if (slot >= 0) needed.add(slot);
    }
    plan = { outputs: specs, wanted };
    // Callers ask for a handful of output sets; a client cycling through many only costs a recount.
    if (this.plans.size >= 32) this.plans.clear();
    this.plans.set(key, plan);
    return plan;
  }
}

interface RunPlan {
  /** The outputs answered, in the signature's order. */
  outputs: readonly TensorSpec[];
  /** Per step: undefined when nothing requested depends on it, else which of its outputs are read. */
  wanted: readonly (readonly boolean[] | undefined)[];
}

function checkInput(spec: TensorSpec, t: Tensor): void {
  if (t.dtype !== spec.dtype) throw new RefusedInput(`input "${spec.name}" is ${t.dtype}, the model takes ${spec.dtype}`);
  const declared = spec.shape;
  if (declared && !shapeFits(t.shape, declared)) {
    throw new RefusedInput(`input "${spec.name}" has shape ${shapeText(t.shape)}, the model takes [${declared.map((d) => (d < 0 ? 'N' : d)).join(', ')}]`);
  }
}
