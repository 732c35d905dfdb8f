import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { RecordConfig } from '../config/schema.js';
import type { PipelineInput } from '../inference/run-inference.js';
import { isBigIntDType } from '../tensor/tensor.js';

/**
 * Recording a sample of real requests, for `npm run replay` (tools/replay): model.json's
 * `"record": {"dir": "...", "sample": 0.01, "redact": ["customer_id"]}`. One JSON line per
 * request in <dir>/<model>/requests.jsonl — `{"time", "model", "version", "records"}` or
 * `{"time", "model", "version", "inputs": {name: {datatype, shape, data}}}` — with redacted
 * fields written as null (a replay sees them as missing values). Bounded twice: a file past
 * maxFileBytes rotates (requests.jsonl → requests.1.jsonl → … up to maxFiles, the oldest
 * deleted), and at most MAX_PENDING lines wait for the disk; beyond that a sample is dropped
 * rather than held in memory.
 */
export const RECORDING_FILE = 'requests.jsonl';
const MAX_PENDING = 1000;

export interface RecordedRequest {
  time: string;
  model: string;
  version: number;
  records?: Record<string, unknown>[];
  inputs?: Record<string, { datatype: string; shape: number[]; data: unknown[] }>;
}

export class RequestRecorder {
  private readonly folder: string;
  private pending = 0;
  private size: number | undefined;
  private chain: Promise<void> = Promise.resolve();
  dropped = 0;

  constructor(
    private readonly model: string,
    private readonly config: RecordConfig,
    private readonly logger: Logger,
  ) {
    this.folder = join(resolve(config.dir), model);
  }

  /** Samples and queues one request; returns at once. */
  maybeRecord(input: PipelineInput, version: number): void {
    if (Math.random() >= this.config.sample) return;
    if (this.pending >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    const line = JSON.stringify(this.entry(input, version)) + '\n';
    this.pending++;
    this.chain = this.chain.then(() => this.write(line)).finally(() => this.pending--);
  }

  /** Resolves once every queued line is on disk (tests, shutdown). */
  flush(): Promise<void> {
    return this.chain;
  }

  private entry(input: PipelineInput, version: number): RecordedRequest {
    const base = { time: new Date().toISOString(), model: this.model, version };
    if (input.kind === 'records') {
      const redact = this.config.redact;
      const records = input.table.toRows().map((r) => {
        if (redact.length === 0) return r;
        const copy = { ...r };
        for (const field of redact) if (Object.hasOwn(copy, field)) copy[field] = null;
        return copy;
      });
      return { ...base, records };
    }
    const inputs: RecordedRequest['inputs'] = {};
    for (const [name, t] of Object.entries(input.tensors)) {
      // A redacted input is left out: a tensor has no "missing" value to put in its place.
      if (this.config.redact.includes(name)) continue;
      const data = Array.from(t.data as ArrayLike<unknown>, (v) => (isBigIntDType(t.dtype) ? Number(v) : v));
      inputs[name] = { datatype: t.dtype, shape: t.shape, data };
    }
    return { ...base, inputs };
  }

  private async write(line: string): Promise<void> {
    try {
      const file = join(this.folder, RECORDING_FILE);
      if (this.size === undefined) {
        await mkdir(this.folder, { recursive: true });
        this.size = await stat(file).then((s) => s.size, () => 0);
      }
      const bytes = Buffer.byteLength(line);
      if (this.size > 0 && this.size + bytes > this.config.maxFileBytes) await this.rotate();
      await appendFile(file, line);
      this.size += bytes;
    } catch (err) {
      this.size = undefined;
      this.logger.warn({ model: this.model, error: (err as Error).message }, 'cannot record a request (serving is not affected)');
    }
  }

  private async rotate(): Promise<void> {
    const name = (i: number) => join(this.folder, i === 0 ? RECORDING_FILE : RECORDING_FILE.replace('.jsonl', `.${i}.jsonl`));
    await rm(name(this.config.maxFiles), { force: true });
    for (let i = this.config.maxFiles - 1; i >= 0; i--) await rename(name(i), name(i + 1)).catch(() => undefined);
    this.size = 0;
  }
}
