import type { DType } from '../../tensor/tensor.js';

/** Open Inference Protocol datatype names. */
const TO_V2: Record<DType, string> = {
  bool: 'BOOL',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  float32: 'FP32',
  float64: 'FP64',
  string: 'BYTES',
};

const FROM_V2 = new Map(Object.entries(TO_V2).map(([dtype, name]) => [name, dtype as DType]));

export const v2Datatype = (dtype: DType): string => TO_V2[dtype];
export const dtypeOfV2 = (name: string): DType | undefined => FROM_V2.get(name);
