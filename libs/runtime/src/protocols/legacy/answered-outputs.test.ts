import { describe, expect, it } from 'vitest';
import type { ServedModel } from '../../inference/served-model.js';
import type { Servable } from '../../repository/servable.js';
import { answeredOutputs } from './routes.js';

const servable = { signature: { inputs: [], outputs: [{ name: 'label', dtype: 'string', shape: [-1] }, { name: 'probabilities', dtype: 'float32', shape: [-1, 3] }] } } as unknown as Servable;
const model = (output: string | undefined, postprocess?: () => unknown) => ({ config: { getScore: { output } }, hooks: { postprocess } }) as unknown as ServedModel;

describe('what get_score has the model compute', () => {
  it('only the output it answers with, when the config names one the model has', () => {
    expect(answeredOutputs(model('label'), servable)).toEqual(['label']);
    expect(answeredOutputs(model('probabilities'), servable)).toEqual(['probabilities']);
  });

  it('everything when it answers with every output, when a postprocess hook comes first, or when the named output is not the model\'s (a hook makes it)', () => {
    expect(answeredOutputs(model(undefined), servable)).toBeUndefined();
    expect(answeredOutputs(model('label', () => ({})), servable)).toBeUndefined();
    expect(answeredOutputs(model('score'), servable)).toBeUndefined();
  });
});
