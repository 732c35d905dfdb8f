import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backend, BackendLoadOptions } from '../../backends/backend.js';
import { RetryLoadError } from '../../backends/load-error.js';
import type { ModelConfig } from '../../config/schema.js';
import { invalidArgument, ServingError } from '../../errors.js';
import type { NamedTensors, Signature } from '../../tensor/tensor.js';
import type { FakeOptions } from './descriptor.js';

interface FakeArtifact {
  scale?: number;
  fail?: string;
  retry?: string;
}

const SIGNATURE: Signature = {
  inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 2] }],
  outputs: [
    { name: 'y', dtype: 'float32', shape: [-1, 2] },
    { name: 'label', dtype: 'string', shape: [-1] },
  ],
};

/**
 * y = x · scale, label = big|small by the row's sum. Every version it loads is listed in
 * `fakes`, and its runs can be held (hold()) so a test controls exactly when they finish.
 */
export class FakeBackend implements Backend {
  readonly signature = SIGNATURE;
  closed = false;
  /** Runs waiting on a hold. */
  held = 0;
  private gate: Promise<void> | undefined;

  constructor(
    readonly model: string,
    readonly version: number,
    private readonly scale: number,
    private readonly options: FakeOptions,
  ) {}

  /** Holds every run from now on until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((r) => (release = r));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  async run(inputs: NamedTensors, outputs?: readonly string[]): Promise<NamedTensors> {
    if (this.closed) throw new ServingError('UNAVAILABLE', `fake ${this.model} v${this.version} is closed`);
    const x = inputs['x'];
    if (!x || x.dtype !== 'float32' || x.shape.length !== 2 || x.shape[1] !== 2) throw invalidArgument('the fake model takes x: float32 [N, 2]');
    if (this.gate) {
      this.held++;
      await this.gate;
      this.held--;
    }
    const data = x.data as Float32Array;
    const rows = x.shape[0]!;
    const y = new Float32Array(data.length);
    const label: string[] = [];
    for (let i = 0; i < rows; i++) {
      y[2 * i] = data[2 * i]! * this.scale;
      y[2 * i + 1] = data[2 * i + 1]! * this.scale;
      label.push(y[2 * i]! + y[2 * i + 1]! > this.options.threshold ? this.options.big : 'small');
    }
    const all: NamedTensors = { y: { dtype: 'float32', shape: [rows, 2], data: y }, label: { dtype: 'string', shape: [rows], data: label } };
    return outputs ? Object.fromEntries(outputs.map((n) => [n, all[n]!])) : all;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Every fake version loaded in this process, in load order. */
export const fakes: FakeBackend[] = [];

export async function loadFakeBackend(load: BackendLoadOptions, config: ModelConfig, options: FakeOptions): Promise<FakeBackend> {
  const artifact = JSON.parse(await readFile(join(load.versionDir, config.artifact), 'utf8')) as FakeArtifact;
  if (artifact.retry) throw new RetryLoadError(artifact.retry);
  if (artifact.fail) throw new Error(artifact.fail);
  const backend = new FakeBackend(load.modelName, load.version, artifact.scale ?? 1, options);
  fakes.push(backend);
  return backend;
}
