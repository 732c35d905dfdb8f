import { ServingError } from '../../errors.js';
import { binaryInput, HEADER_LENGTH, tensorBytes } from '../../protocols/v2/binary-codec.js';
import { decodeInferRequest } from '../../protocols/v2/codec.js';
import { dtypeOfV2, v2Datatype } from '../../protocols/v2/datatypes.js';
import { flatValues } from '../../protocols/shared/tensor-json.js';
import type { NamedTensors, Signature, TensorSpec } from '../../tensor/tensor.js';
import { callGraphService, graphServiceError } from '../remote/http.js';
import type { GraphClient } from '../remote/remote-backend.js';
import { withRetries } from '../remote/retries.js';

export interface V2ClientOptions {
  /** http://host:port of the graph service. */
  address: string;
  model: string;
  /** undefined: the peer's unversioned model URL. */
  version: number | undefined;
  binary: 'auto' | 'never';
  timeoutMs: number;
  retries: number;
  backoffMs: number;
}

interface TensorMetadata {
  name: string;
  datatype: string;
  shape?: number[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function specOf(t: TensorMetadata): TensorSpec {
  const dtype = dtypeOfV2(t.datatype);
  if (!dtype) throw new ServingError('FAILED_PRECONDITION', `graph service tensor "${t.name}" has datatype ${t.datatype}, which modelyard cannot serve`);
  return { name: t.name, dtype, shape: t.shape ? t.shape.map((d) => (d < 0 ? -1 : d)) : null };
}

/** The peer broke the protocol: a fault of the service, never of the caller. */
const badAnswer = (what: string) => new ServingError('INTERNAL', `the graph service answered with ${what}`);

/**
 * One model on an Open Inference Protocol v2 peer over REST: metadata for the signature,
 * .../ready for readiness, .../infer with the binary tensor extension when the peer lists
 * it in its server metadata (GET /v2 → extensions), else JSON.
 */
export class V2RestClient implements GraphClient {
  private readonly base: string;
  private binary = false;

  constructor(private readonly options: V2ClientOptions) {
    const address = options.address.replace(/\/+$/, '');
    this.base = `${address}/v2/models/${encodeURIComponent(options.model)}${options.version === undefined ? '' : `/versions/${options.version}`}`;
  }

  async signature(): Promise<Signature> {
    const meta = (await this.json('GET', this.base)) as { inputs?: TensorMetadata[]; outputs?: TensorMetadata[] };
    if (!Array.isArray(meta.inputs) || !Array.isArray(meta.outputs)) throw badAnswer('model metadata without "inputs" and "outputs"');
    if (this.options.binary === 'auto') {
      const server = (await this.json('GET', `${this.options.address.replace(/\/+$/, '')}/v2`)) as { extensions?: unknown };
      this.binary = Array.isArray(server.extensions) && server.extensions.includes('binary_tensor_data');
    }
    return { inputs: meta.inputs.map(specOf), outputs: meta.outputs.map(specOf) };
  }

  /** Whether the binary extension is in use (decided when the signature is read). */
  get usesBinary(): boolean {
    return this.binary;
  }

  async ready(): Promise<boolean> {
    const res = await callGraphService(this.options.address, `${this.base}/ready`, { method: 'GET' }, this.options.timeoutMs);
    await res.arrayBuffer();
    return res.ok;
  }

  infer(inputs: NamedTensors, signature: Signature, outputs?: readonly string[]): Promise<NamedTensors> {
    const wanted = signature.outputs.filter((o) => !outputs || outputs.includes(o.name));
    return withRetries(() => this.inferOnce(inputs, wanted), this.options.retries, this.options.backoffMs);
  }

  private async inferOnce(inputs: NamedTensors, wanted: TensorSpec[]): Promise<NamedTensors> {
    const entries = Object.entries(inputs);
    let init: RequestInit;
    if (this.binary) {
      const tails = entries.map(([, t]) => tensorBytes(t));
      const header = Buffer.from(
        JSON.stringify({
          inputs: entries.map(([name, t], i) => ({ name, shape: t.shape, datatype: v2Datatype(t.dtype), parameters: { binary_data_size: tails[i]!.length } })),
          outputs: wanted.map((o) => ({ name: o.name, parameters: { binary_data: true } })),
        }),
      );
      init = { method: 'POST', body: Buffer.concat([header, ...tails]), headers: { 'content-type': 'application/octet-stream', [HEADER_LENGTH]: String(header.length) } };
    } else {
      const body = {
        inputs: entries.map(([name, t]) => ({ name, shape: t.shape, datatype: v2Datatype(t.dtype), data: flatValues(t) })),
        outputs: wanted.map((o) => ({ name: o.name })),
      };
      init = { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
    }
    const res = await callGraphService(this.options.address, `${this.base}/infer`, init, this.options.timeoutMs);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (!res.ok) throw graphServiceError(res.status, bytes.toString('utf8'));
    return decodeInferResponse(bytes, res.headers.get(HEADER_LENGTH), wanted);
  }

  private async json(method: 'GET', url: string): Promise<unknown> {
    return withRetries(
      async () => {
        const res = await callGraphService(this.options.address, url, { method }, this.options.timeoutMs);
        const text = await res.text();
        if (!res.ok) throw graphServiceError(res.status, text);
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw badAnswer(`a body that is not JSON from ${url}`);
        }
      },
      this.options.retries,
      this.options.backoffMs,
    );
  }

  close(): void {}
}

/**
 * An infer response, JSON or binary, checked against the outputs asked for: each is
 * decoded with the protocol's own codec (the response's outputs have the request's inputs'
 * shape), and a mismatch is the peer's fault.
 */
export function decodeInferResponse(body: Buffer, headerLength: string | null, wanted: readonly TensorSpec[]): NamedTensors {
  const length = headerLength === null ? body.length : Number(headerLength);
  if (!Number.isSafeInteger(length) || length > body.length) throw badAnswer(`Inference-Header-Content-Length ${headerLength} for a body of ${body.length} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(body.toString('utf8', 0, length));
  } catch {
    throw badAnswer('an infer response that is not JSON');
  }
  if (!isObject(header) || !Array.isArray(header['outputs'])) throw badAnswer('an infer response without "outputs"');
  const byName = new Map<string, Record<string, unknown>>();
  const tails = new Map<string, Buffer>();
  let at = length;
  for (const [i, o] of header['outputs'].entries()) {
    if (!isObject(o) || typeof o['name'] !== 'string') throw badAnswer(`outputs[${i}] without a name`);
    byName.set(o['name'], o);
    const size = isObject(o['parameters']) ? o['parameters']['binary_data_size'] : undefined;
    if (size === undefined) continue;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || at + size > body.length) throw badAnswer(`output "${o['name']}" with a binary_data_size past the body's end`);
    tails.set(o['name'], body.subarray(at, at + size));
    at += size;
  }
  const result: NamedTensors = {};
  for (const [i, spec] of wanted.entries()) {
    const o = byName.get(spec.name);
    if (!o) throw new ServingError('INTERNAL', `the graph service did not return output "${spec.name}"`);
    try {
      const bytes = tails.get(spec.name);
      result[spec.name] = bytes ? binaryInput(o, i, bytes, spec.dtype) : decodeInferRequest({ inputs: [o] }, { inputs: [spec], outputs: [] }).inputs[spec.name]!;
    } catch (err) {
      throw badAnswer(`output "${spec.name}" that does not decode: ${(err as Error).message}`);
    }
  }
  return result;
}
