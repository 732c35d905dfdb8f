import { describe, expect, it } from 'vitest';
import type { NamedTensors } from '../../tensor/tensor.js';
import { encodeScores, readScoreRequest } from './codec.js';

const outputs: NamedTensors = {
  label: { dtype: 'string', shape: [2], data: ['Adelie', 'Gentoo'] },
  probabilities: { dtype: 'float32', shape: [2, 3], data: new Float32Array([0.5, 0.25, 0.25, 0, 0, 1]) },
};
const configs = [
  { name: 'label', role: 'label' as const },
  { name: 'probabilities', role: 'probabilities' as const, classes: ['Adelie', 'Chinstrap', 'Gentoo'] },
];

describe('legacy codec', () => {
  it('needs a "data" field', () => {
    expect(readScoreRequest({ data: [1] })).toEqual([1]);
    expect(() => readScoreRequest({ records: [] })).toThrow('"data" field');
    expect(() => readScoreRequest([{}])).toThrow('"data" field');
  });

  it('gives one entry per record, probabilities keyed by class', () => {
    expect(encodeScores(outputs, configs)).toEqual([
      { label: 'Adelie', probabilities: { Adelie: 0.5, Chinstrap: 0.25, Gentoo: 0.25 } },
      { label: 'Gentoo', probabilities: { Adelie: 0, Chinstrap: 0, Gentoo: 1 } },
    ]);
  });

  it('gives the plain list of one output when the config names it', () => {
    expect(encodeScores(outputs, configs, 'label')).toEqual(['Adelie', 'Gentoo']);
    expect(() => encodeScores(outputs, configs, 'score')).toThrow('the model has no output "score"');
  });
});
