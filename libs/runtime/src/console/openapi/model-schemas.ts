import type { DType } from '../../tensor/tensor.js';
import { v2Datatype } from '../../protocols/v2/datatypes.js';
import { elementSchema, innerDims, nestedSchema, shapeText, type Schema } from './json-schema.js';
import type { FieldFact, ModelFacts, OutputFact } from './model-facts.js';

/**
 * The JSON Schemas of one model's requests and responses, named after its real record
 * fields and outputs. Each protocol shows the same model in its own shape.
 */

const isFloat = (d: DType) => d === 'float32' || d === 'float64';

function fieldSchema(f: FieldFact): Schema {
  const fed = `feeds model input "${f.input.name}" (${f.input.dtype} ${shapeText(f.input)})`;
  if (f.dims) return { ...nestedSchema(f.dims, elementSchema(f.input.dtype)), description: `${f.dims.join(' × ')} values; ${fed}` };
  if (isFloat(f.input.dtype)) return { type: ['number', 'null'], description: `${fed}; null is a missing value (fed as NaN, the model's imputer decides)` };
  if (f.input.dtype === 'string') {
    const known = f.categories ? `; the model knows ${f.categories.map((c) => JSON.stringify(c)).join(', ')} (another value reads as unknown)` : '';
    const schema: Schema = { type: ['string', 'null'], description: `${fed}; null is a missing value (fed as "")${known}` };
    if (f.categories) schema['examples'] = f.categories;
    return schema;
  }
  return { ...elementSchema(f.input.dtype), description: fed };
}

/** One record: the fields the model reads. Other fields are allowed (hooks may read them) and ignored by the model. */
export function recordSchema(facts: ModelFacts): Schema {
  const properties = Object.fromEntries(facts.fields.map((f) => [f.name, fieldSchema(f)]));
  return {
    type: 'object',
    description: `One ${facts.name} record. Every listed field is required; a field the model does not read is passed to hooks and otherwise ignored.`,
    properties,
    required: facts.fields.map((f) => f.name),
  };
}

/** What an output means, in words. */
export function outputMeaning(o: OutputFact): string {
  const role = o.config?.role ?? 'value';
  const shape = `${o.spec.dtype} ${shapeText(o.spec)}`;
  if (role === 'probabilities' && o.config?.classes) return `probabilities of the classes ${o.config.classes.join(', ')} (in this order; they sum to 1) — ${shape}`;
  if (role === 'label') return `the predicted class — ${shape}`;
  if (role === 'score') return `a score — ${shape}`;
  return `the model's output — ${shape}`;
}

/** One row of an output as the tensor protocols write it (a one-value row is that value). */
export function outputRowSchema(o: OutputFact): Schema {
  const inner = innerDims(o.spec);
  const leaf = elementSchema(o.spec.dtype);
  const size = inner.reduce((a, b) => a * b, 1);
  const schema = inner.length > 0 && size !== 1 ? nestedSchema(inner, leaf) : leaf;
  return { ...schema, description: outputMeaning(o) };
}

/** One row as /get_score writes it: a probabilities row with class names becomes {class: probability}. */
function scoreValueSchema(o: OutputFact): Schema {
  const classes = o.config?.role === 'probabilities' ? o.config.classes : undefined;
  if (!classes) return outputRowSchema(o);
  return {
    type: 'object',
    description: `probability of each class (${classes.join(', ')}); they sum to 1`,
    properties: Object.fromEntries(classes.map((c) => [c, { type: 'number', minimum: 0, maximum: 1 }])),
    required: classes,
  };
}

export function scoreItemSchema(facts: ModelFacts): Schema {
  const only = facts.model.config.getScore.output;
  const chosen = facts.outputs.find((o) => o.spec.name === only);
  if (chosen) return scoreValueSchema(chosen);
  return {
    type: 'object',
    description: 'every output of the model, by name',
    properties: Object.fromEntries(facts.outputs.map((o) => [o.spec.name, scoreValueSchema(o)])),
    required: facts.outputs.map((o) => o.spec.name),
  };
}

/** One instance of a row-format predict: the input's row, or {input: row} for several inputs. */
export function predictInstanceSchema(facts: ModelFacts): Schema {
  const inputs = facts.signature?.inputs ?? [];
  const row = (i: (typeof inputs)[number]) => ({ ...nestedSchema(innerDims(i), elementSchema(i.dtype)), description: `model input "${i.name}" (${i.dtype} ${shapeText(i)}) without the batch dimension` });
  if (inputs.length === 1) return row(inputs[0]!);
  return { type: 'object', properties: Object.fromEntries(inputs.map((i) => [i.name, row(i)])), required: inputs.map((i) => i.name) };
}

export function predictionSchema(facts: ModelFacts): Schema {
  if (facts.outputs.length === 1) return outputRowSchema(facts.outputs[0]!);
  return { type: 'object', properties: Object.fromEntries(facts.outputs.map((o) => [o.spec.name, outputRowSchema(o)])), required: facts.outputs.map((o) => o.spec.name) };
}

export function v2InferRequestSchema(facts: ModelFacts): Schema {
  const inputs = facts.signature?.inputs ?? [];
  return {
    type: 'object',
    required: ['inputs'],
    properties: {
      id: { type: 'string', description: 'echoed in the response' },
      parameters: { type: 'object' },
      inputs: {
        type: 'array',
        description: `one entry per model input: ${inputs.map((i) => `"${i.name}" (${v2Datatype(i.dtype)} ${shapeText(i)})`).join(', ')}`,
        items: {
          type: 'object',
          required: ['name', 'shape', 'datatype', 'data'],
          properties: {
            name: { type: 'string', enum: inputs.map((i) => i.name) },
            shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
            datatype: { type: 'string', enum: [...new Set(inputs.map((i) => v2Datatype(i.dtype)))] },
            data: { type: 'array', description: 'the values, flat in row-major order (nested lists are accepted too)' },
            parameters: { type: 'object' },
          },
        },
      },
      outputs: {
        type: 'array',
        description: 'which outputs to return (default: all)',
        items: { type: 'object', required: ['name'], properties: { name: { type: 'string', enum: facts.outputs.map((o) => o.spec.name) } } },
      },
    },
  };
}

export function v2InferResponseSchema(facts: ModelFacts): Schema {
  return {
    type: 'object',
    required: ['model_name', 'outputs'],
    properties: {
      model_name: { type: 'string', const: facts.name },
      model_version: { type: 'string' },
      id: { type: 'string' },
      outputs: {
        type: 'array',
        description: facts.outputs.map((o) => `"${o.spec.name}": ${outputMeaning(o)}`).join('; '),
        items: {
          type: 'object',
          required: ['name', 'shape', 'datatype', 'data'],
          properties: {
            name: { type: 'string', enum: facts.outputs.map((o) => o.spec.name) },
            shape: { type: 'array', items: { type: 'integer' } },
            datatype: { type: 'string' },
            data: { type: 'array', description: 'flat, row-major' },
          },
        },
      },
    },
  };
}
