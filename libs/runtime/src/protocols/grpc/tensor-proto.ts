import { invalidArgument } from '../../errors.js';
import { allocate, elementCount, type DType, type Tensor, type TensorData } from '../../tensor/tensor.js';
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

const RAW: Partial<Record<DType, { bytes: number; read: (view: DataView, offset: number) => number | bigint }>> = {
  float32: { bytes: 4, read: (v, o) => v.getFloat32(o, true) },
  float64: { bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  int8: { bytes: 1, read: (v, o) => v.getInt8(o) },
  uint8: { bytes: 1, read: (v, o) => v.getUint8(o) },
  int16: { bytes: 2, read: (v, o) => v.getInt16(o, true) },
  uint16: { bytes: 2, read: (v, o) => v.getUint16(o, true) },
  int32: { bytes: 4, read: (v, o) => v.getInt32(o, true) },
  uint32: { bytes: 4, read: (v, o) => v.getUint32(o, true) },
  int64: { bytes: 8, read: (v, o) => v.getBigInt64(o, true) },
  uint64: { bytes: 8, read: (v, o) => v.getBigUint64(o, true) },
  bool: { bytes: 1, read: (v, o) => v.getUint8(o) },
};

export function toTensorProto(t: Tensor): TensorProto {
  const proto: TensorProto = { dtype: TF_DTYPES[t.dtype].enum, tensor_shape: { dim: t.shape.map((d) => ({ size: String(d) })) } };
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
  const raw = RAW[dtype];
  if (proto.tensor_content && proto.tensor_content.length > 0 && raw) {
    if (proto.tensor_content.length !== count * raw.bytes) {
      throw invalidArgument(`input "${name}": tensor_content holds ${proto.tensor_content.length} bytes, shape [${shape}] needs ${count * raw.bytes}`);
    }
    const view = new DataView(proto.tensor_content.buffer, proto.tensor_content.byteOffset, proto.tensor_content.length);
    for (let i = 0; i < count; i++) (data as unknown as (number | bigint)[])[i] = raw.read(view, i * raw.bytes);
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
