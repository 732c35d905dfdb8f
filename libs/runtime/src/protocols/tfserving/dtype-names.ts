import type { DType } from '../../tensor/tensor.js';

/** TF's names for our dtypes: the DT_* enum (metadata) and the short name (error texts). */
export const TF_DTYPES: Record<DType, { enum: string; name: string }> = {
  float32: { enum: 'DT_FLOAT', name: 'float' },
  float64: { enum: 'DT_DOUBLE', name: 'double' },
  int8: { enum: 'DT_INT8', name: 'int8' },
  uint8: { enum: 'DT_UINT8', name: 'uint8' },
  int16: { enum: 'DT_INT16', name: 'int16' },
  uint16: { enum: 'DT_UINT16', name: 'uint16' },
  int32: { enum: 'DT_INT32', name: 'int32' },
  uint32: { enum: 'DT_UINT32', name: 'uint32' },
  int64: { enum: 'DT_INT64', name: 'int64' },
  uint64: { enum: 'DT_UINT64', name: 'uint64' },
  bool: { enum: 'DT_BOOL', name: 'bool' },
  string: { enum: 'DT_STRING', name: 'string' },
};
