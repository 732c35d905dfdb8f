import { ServingError } from '../../errors.js';
import { parseTfServingBody, type JsonValue } from '../../protocols/tfserving/json-parse.js';
import { writeNested } from '../../protocols/tfserving/response.js';
import { tensorFromJson } from '../../protocols/tfserving/tensor-from-json.js';
import type { NamedTensors, Signature } from '../../tensor/tensor.js';
import { callGraphService, graphServiceError } from '../remote/http.js';
import type { GraphClient } from '../remote/remote-backend.js';
import { withRetries } from '../remote/retries.js';
import type { ClientOptions } from './client-options.js';
import { signatureFromMetadata } from './signature-from-metadata.js';

const INTEGER = /int/;

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

  /** The version's state on the graph service is AVAILABLE. */
  async ready(): Promise<boolean> {
    const status = (await this.request('GET', this.base)) as { model_version_status?: { state: string }[] };
    return status.model_version_status?.[0]?.state === 'AVAILABLE';
  }

  async infer(inputs: NamedTensors, signature: Signature, outputs?: readonly string[]): Promise<NamedTensors> {
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
    const init = { method, body, headers: body ? { 'content-type': 'application/json' } : undefined };
    const res = await callGraphService(this.options.address, url, init, this.options.timeoutMs);
    const text = await res.text();
    if (res.ok) return parseTfServingBody(text, { lossless });
    throw graphServiceError(res.status, text);
  }
}
