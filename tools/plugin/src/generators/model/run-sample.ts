import * as ort from 'onnxruntime-node';
import type { InputMapping, SampleRecord } from './sample-mapping';

/**
 * The answer the generated app will give to the sample, computed at generation time with
 * onnxruntime-node: the records become tensors as the runtime's feature stage makes them
 * (null → NaN for numbers, "" for strings), run through the transformer when there is one,
 * then the model, and are written as /get_score writes them. The generator's end-to-end test
 * posts the same request to the built app and requires this very answer.
 */

export interface SampleOutput {
  name: string;
  role?: string;
  classes?: string[];
}

export interface GetScoreResponse {
  msg: 'Successful!';
  code: 200;
  data: unknown[];
}

type Feed = Record<string, ort.Tensor>;

function toTensor(input: InputMapping, records: readonly SampleRecord[], type: string, declared: readonly (number | string)[]): ort.Tensor {
  const fields = input.fields ?? [input.field ?? input.name];
  const values: unknown[] = [];
  for (const record of records) {
    if (fields.length === 1) {
      const v = record[fields[0]!];
      if (Array.isArray(v)) values.push(...v.flat(Infinity));
      else values.push(v);
    } else {
      for (const f of fields) values.push(record[f]);
    }
  }
  const per = values.length / records.length;
  // [N] for a rank-1 input, else [N, ...] as declared (the runtime conforms shapes the same way).
  const shape = declared.length === 1 ? [records.length] : [records.length, ...(declared.length > 2 && declared.slice(1).every((d) => typeof d === 'number' && d > 0) ? (declared.slice(1) as number[]) : [per])];
  const where = (i: number) => `sample record ${Math.floor(i / per)}, field "${fields[fields.length === 1 ? 0 : i % per]}"`;
  switch (type) {
    case 'float32':
    case 'float64': {
      const data = type === 'float32' ? new Float32Array(values.length) : new Float64Array(values.length);
      values.forEach((v, i) => {
        if (v !== null && typeof v !== 'number') throw new Error(`${where(i)} must be a number or null for model input "${input.name}", got ${JSON.stringify(v)}`);
        data[i] = v === null ? NaN : v;
      });
      return new ort.Tensor(type, data, shape);
    }
    case 'string':
      return new ort.Tensor(
        'string',
        values.map((v, i) => {
          if (v !== null && typeof v !== 'string') throw new Error(`${where(i)} must be a string or null for model input "${input.name}", got ${JSON.stringify(v)}`);
          return v ?? '';
        }),
        shape,
      );
    case 'int64':
      return new ort.Tensor(
        'int64',
        BigInt64Array.from(values, (v, i) => {
          if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Error(`${where(i)} must be an integer for model input "${input.name}", got ${JSON.stringify(v)}`);
          return BigInt(v);
        }),
        shape,
      );
    case 'bool':
      return new ort.Tensor(
        'bool',
        Uint8Array.from(values, (v, i) => {
          if (typeof v !== 'boolean') throw new Error(`${where(i)} must be true or false for model input "${input.name}", got ${JSON.stringify(v)}`);
          return v ? 1 : 0;
        }),
        shape,
      );
    default:
      throw new Error(`model input "${input.name}" has type ${type}, which --sample cannot feed`);
  }
}

/** Row `row` of an output as the legacy API writes it: a single value alone, else nested lists. */
function rowValue(t: ort.Tensor, row: number): unknown {
  const inner = t.dims.slice(1);
  const size = inner.reduce((a, b) => a * b, 1);
  const scalar = (i: number) => {
    const v = (t.data as ArrayLike<unknown>)[i];
    return typeof v === 'bigint' ? Number(v) : t.type === 'bool' ? Boolean(v) : v;
  };
  const build = (depth: number, offset: number): unknown[] => {
    const stride = inner.slice(depth + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: inner[depth]! }, (_, i) => (depth === inner.length - 1 ? scalar(offset + i) : build(depth + 1, offset + i * stride)));
  };
  return size === 1 ? scalar(row * size) : build(0, row * size);
}

function present(value: unknown, output: SampleOutput | undefined): unknown {
  if (output?.role === 'probabilities' && output.classes && Array.isArray(value) && value.length === output.classes.length) {
    return Object.fromEntries(output.classes.map((c, i) => [c, value[i]]));
  }
  return value;
}

async function session(bytes: Uint8Array, what: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes);
  } catch (err) {
    throw new Error(`onnxruntime cannot load the ${what}: ${(err as Error).message}`);
  }
}

export async function runSample(options: {
  model: Uint8Array;
  transformer?: Uint8Array;
  inputs: readonly InputMapping[];
  records: readonly SampleRecord[];
  outputs: readonly SampleOutput[];
  only?: string;
}): Promise<{ response: GetScoreResponse; outputs: Record<string, unknown[]> }> {
  const model = await session(options.model, 'model');
  const transformer = options.transformer ? await session(options.transformer, 'transformer') : undefined;
  try {
    const front = transformer ?? model;
    const feed: Feed = {};
    for (const meta of front.inputMetadata) {
      const input = options.inputs.find((i) => i.name === meta.name)!;
      feed[meta.name] = toTensor(input, options.records, (meta as unknown as { type: string }).type, (meta as unknown as { shape: readonly (number | string)[] }).shape);
    }
    let modelFeed = feed;
    if (transformer) {
      const produced = await transformer.run(feed);
      modelFeed = Object.fromEntries(model.inputNames.map((n) => [n, produced[n]!]));
    }
    const results = await model.run(modelFeed);
    const names = options.only ? [options.only] : model.outputNames;
    const data = options.records.map((_, row) => {
      const describe = (name: string) => present(rowValue(results[name]!, row), options.outputs.find((o) => o.name === name));
      return options.only ? describe(options.only) : Object.fromEntries(names.map((n) => [n, describe(n)]));
    });
    // Every output, row by row, unpresented: the version's reference.json (the runtime's self-check).
    const outputs = Object.fromEntries(model.outputNames.map((n) => [n, options.records.map((_, row) => rowValue(results[n]!, row))]));
    return { response: { msg: 'Successful!', code: 200, data }, outputs };
  } finally {
    await model.release();
    await transformer?.release();
  }
}
