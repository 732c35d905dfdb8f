/**
 * A 100-record request in the Open Inference Protocol's binary tensor data extension, as
 * Triton and KServe define it: a JSON header naming each input with
 * `parameters.binary_data_size`, then each tensor's raw bytes in order (FP32 little-endian;
 * BYTES as a 4-byte little-endian length before each element), and the header's length in
 * `Inference-Header-Content-Length`.
 */
export interface ModelInput {
  name: string;
  dtype: string;
  field?: string;
}

export interface BinaryRequest {
  body: Buffer;
  headerLength: number;
}

type RecordValue = string | number | null | undefined;

function fp32(values: RecordValue[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v === null || v === undefined ? Number.NaN : Number(v), i * 4));
  return b;
}

function bytes(values: RecordValue[]): Buffer {
  return Buffer.concat(values.flatMap((v) => {
    const s = Buffer.from(v === null || v === undefined ? '' : String(v), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(s.length, 0);
    return [len, s];
  }));
}

export function binaryInferRequest(inputs: readonly ModelInput[], records: readonly Record<string, RecordValue>[], output: string): BinaryRequest {
  const tensors = inputs.map((input) => {
    const values = records.map((r) => r[input.field ?? input.name]);
    const isString = input.dtype === 'string';
    const data = isString ? bytes(values) : fp32(values);
    if (!isString && input.dtype !== 'float32') throw new Error(`binary body: input ${input.name} has dtype ${input.dtype}, only float32 and string are written`);
    return {
      header: { name: input.name, shape: [records.length, 1], datatype: isString ? 'BYTES' : 'FP32', parameters: { binary_data_size: data.length } },
      data,
    };
  });
  const header = Buffer.from(JSON.stringify({
    inputs: tensors.map((t) => t.header),
    // Labels come back as JSON, so the answer is checked the same way as every other path.
    outputs: [{ name: output, parameters: { binary_data: false } }],
  }));
  return { body: Buffer.concat([header, ...tensors.map((t) => t.data)]), headerLength: header.length };
}

/** The JSON part of a (possibly binary) v2 answer. */
export function inferResponseHeader(body: Buffer, headerLength: string | null): unknown {
  const n = headerLength === null ? body.length : Number(headerLength);
  return JSON.parse(body.subarray(0, n).toString('utf8'));
}
