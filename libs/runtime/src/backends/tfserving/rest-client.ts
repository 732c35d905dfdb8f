import { ServingError, type StatusCode } from '../../errors.js';
import { parseTfServingBody, type JsonValue } from '../../protocols/tfserving/json-parse.js';
import { writeNested } from '../../protocols/tfserving/response.js';
import { tensorFromJson } from '../../protocols/tfserving/tensor-from-json.js';
import type { NamedTensors, Signature } from '../../tensor/tensor.js';
import { withRetries, type ClientOptions, type GraphClient } from './graph-client.js';
import { signatureFromMetadata } from './signature-from-metadata.js';

const INTEGER = /int/;
const CODE_OF_STATUS: Record<number, StatusCode> = { 400: 'INVALID_ARGUMENT', 404: 'NOT_FOUND', 409: 'ABORTED', 429: 'RESOURCE_EXHAUSTED', 501: 'UNIMPLEMENTED', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED' };

/**
 * TF Serving's REST API as a client: one model version, JSON written and read with TF
 * Serving's own number rules (NaN tokens, exact int64). Node's fetch keeps connections
 * alive and reuses them.
 */
export class TfServingRestClient implements GraphClient {
  private readonly base: string;

  constructor(private readonly options: ClientOptions) {
    this.base = `${options.address.replace(/\/+$/, '')}/v1/models/${encodeURIComponent(options.model)}/versions/${options.version}`;
  }

  async signature(): Promise<Signature> {
    return signatureFromMetadata(await this.request('GET', `${this.base}/metadata`));
  }

  close(): void {}

  /** The version's state on the graph service (AVAILABLE when it can serve). */
  async state(): Promise<string | undefined> {
    const status = (await this.request('GET', this.base)) as { model_version_status?: { state: string }[] };
    return status.model_version_status?.[0]?.state;
  }

  async predict(inputs: NamedTensors, signature: Signature, outputs?: readonly string[]): Promise<NamedTensors> {
    const fields = Object.entries(inputs).map(([name, t]) => `${JSON.stringify(name)}: ${writeNested(t, t.shape, 0, name)}`);
    const wanted = signature.outputs.filter((o) => !outputs || outputs.includes(o.name));
    const lossless = wanted.some((o) => INTEGER.test(o.dtype));
    const reply = (await this.request('POST', `${this.base}:predict`, `{"inputs": {${fields.join(', ')}}}`, lossless)) as { outputs?: JsonValue };
    if (reply.outputs === undefined) throw new ServingError('INTERNAL', 'the graph service answered without "outputs"');
    // One output comes back bare, several as an object keyed by output name.
    const all = signature.outputs.length === 1 ? { [signature.outputs[0]!.name]: reply.outputs } : (reply.outputs as Record<string, JsonValue>);
    const result: NamedTensors = {};
    for (const spec of wanted) {
      const value = all[spec.name];
      if (value === undefined) throw new ServingError('INTERNAL', `the graph service did not return output "${spec.name}"`);
      result[spec.name] = tensorFromJson(value, spec.dtype);
    }
    return result;
  }

  private request(method: 'GET' | 'POST', url: string, body?: string, lossless = false): Promise<JsonValue> {
    return withRetries(() => this.once(method, url, body, lossless), this.options.retries, this.options.backoffMs);
  }

  private async once(method: string, url: string, body: string | undefined, lossless: boolean): Promise<JsonValue> {
    let res: Response;
    try {
      res = await fetch(url, { method, body, headers: body ? { 'content-type': 'application/json' } : undefined, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (e.name === 'TimeoutError') throw new ServingError('DEADLINE_EXCEEDED', `the graph service at ${this.options.address} did not answer within ${this.options.timeoutMs} ms`);
      throw new ServingError('UNAVAILABLE', `the graph service at ${this.options.address} is unreachable (${e.cause?.code ?? e.message})`);
    }
    const text = await res.text();
    if (res.ok) return parseTfServingBody(text, { lossless });
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      // not JSON: keep the text
    }
    throw new ServingError(CODE_OF_STATUS[res.status] ?? 'INTERNAL', `graph service: ${message}`);
  }
}
