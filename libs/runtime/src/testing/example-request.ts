/** A v2 infer request built from a model's own metadata: one row of zeros / empty strings. */
export interface V2Metadata {
  inputs: { name: string; datatype: string; shape: number[] }[];
  outputs: { name: string; datatype: string; shape: number[] }[];
}

export function exampleInferRequest(metadata: V2Metadata) {
  return {
    inputs: metadata.inputs.map((input) => {
      const shape = input.shape.map((d) => (d < 0 ? 1 : d));
      const size = shape.reduce((a, b) => a * b, 1);
      const value = input.datatype === 'BYTES' ? '' : input.datatype === 'BOOL' ? false : 0;
      return { name: input.name, shape, datatype: input.datatype, data: Array(size).fill(value) };
    }),
  };
}
