import { invalidArgument } from '../../errors.js';
import { allocate, ARRAY_TYPES, elementCount, type DType, type Tensor, type TensorData } from '../../tensor/tensor.js';
import { TF_DTYPES } from '../tfserving/dtype-names.js';
import type { TensorProto } from './protos.js';

/** Which repeated field of TensorProto carries each dtype (TF's AsProtoField layout). */
const FIELD: Record<DType, keyof TensorProto> = {
  float32: 'float_val',
  float64: 'double_val',
  int8: 'int_val',
  uint8: 'int_val',
  int16: 'int_val',
  uint16: 'int_val',
  int32: 'int_val',
  uint32: 'uint32_val',
  int64: 'int64_val',
  uint64: 'uint64_val',
  bool: 'bool_val',
  string: 'string_val',
};

/**
 * A tensor as a TensorProto: in its typed repeated field (TF's AsProtoField, what TF Serving
 * replies by default), or with `raw` as little-endian `tensor_content` bytes (AsProtoTensorContent),
 * which costs one copy instead of one protobuf varint/float per element. Strings have no raw form.
 */
export function toTensorProto(t: Tensor, raw = false): TensorProto {
  const proto: TensorProto = { dtype: TF_DTYPES[t.dtype].enum, tensor_shape: { dim: t.shape.map((d) => ({ size: String(d) })) } };
  if (raw && t.dtype !== 'string') {
    const data = t.data as Exclude<typeof t.data, string[]>;
    // Every platform onnxruntime-node ships for is little-endian: the typed array's bytes are the wire bytes.
    proto.tensor_content = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return proto;
  }
  const field = FIELD[t.dtype];
  if (t.dtype === 'string') proto.string_val = (t.data as string[]).map((s) => Buffer.from(s, 'utf8'));
  else if (t.dtype === 'bool') proto.bool_val = Array.from(t.data as Uint8Array, (v) => v === 1);
  else if (t.dtype === 'int64' || t.dtype === 'uint64') (proto as unknown as Record<string, unknown>)[field] = Array.from(t.data as BigInt64Array, String);
  else (proto as unknown as Record<string, unknown>)[field] = Array.from(t.data as Float32Array);
  return proto;
}

/**
 * A TensorProto into a tensor of the expected dtype, from its typed field or its raw
 * little-endian tensor_content, with the element count checked against the shape.
 */
export function fromTensorProto(name: string, proto: TensorProto, dtype: DType): Tensor {
  if (proto.dtype !== TF_DTYPES[dtype].enum) throw invalidArgument(`input "${name}" has dtype ${proto.dtype}, but the model expects ${TF_DTYPES[dtype].enum}`);
  const shape = (proto.tensor_shape?.dim ?? []).map((d) => Number(d.size));
  const count = elementCount(shape);
  const data: TensorData = allocate(dtype, count);
  // Bytes per element in tensor_content; strings have no raw form.
  const bytes = dtype === 'string' ? undefined : ARRAY_TYPES[dtype].BYTES_PER_ELEMENT;
  if (proto.tensor_content && proto.tensor_content.length > 0 && bytes) {
    if (proto.tensor_content.length !== count * bytes) {
      throw invalidArgument(`input "${name}": tensor_content holds ${proto.tensor_content.length} bytes, shape [${shape}] needs ${count * bytes}`);
    }
    // Little-endian bytes are the typed array's own layout here: one copy, no per-element reads.
    const typed = data as Exclude<TensorData, string[]>;
    new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength).set(proto.tensor_content);
    // TF reads any non-zero byte as true; the runtime's bools are 0/1.
    if (dtype === 'bool') for (let i = 0; i < count; i++) (typed as Uint8Array)[i] = typed[i] ? 1 : 0;
    return { dtype, shape, data };
  }
  const values = (proto[FIELD[dtype]] ?? []) as unknown[];
  // TF fills a whole tensor from a single value.
  if (values.length !== count && !(values.length === 1 && count > 1)) {
    throw invalidArgument(`input "${name}": shape [${shape}] holds ${count} values, but ${String(FIELD[dtype])} has ${values.length}`);
  }
  for (let i = 0; i < count; i++) {
    const v = values.length === 1 ? values[0] : values[i];
    if (dtype === 'string') (data as string[])[i] = (v as Buffer).toString('utf8');
    else if (dtype === 'bool') (data as Uint8Array)[i] = v ? 1 : 0;
    else if (dtype === 'int64' || dtype === 'uint64') (data as BigInt64Array)[i] = BigInt(v as string);
    else (data as Float32Array)[i] = v as number;
  }
  return { dtype, shape, data };
}
