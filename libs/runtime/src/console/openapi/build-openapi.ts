import type { ModelSet } from '../../inference/served-model.js';
import { buildExamples, type Examples } from './examples.js';
import type { Schema } from './json-schema.js';
import { modelFacts, type ModelFacts } from './model-facts.js';
import {
  outputMeaning,
  predictInstanceSchema,
  predictionSchema,
  recordSchema,
  scoreItemSchema,
  v2InferRequestSchema,
  v2InferResponseSchema,
} from './model-schemas.js';

/**
 * GET /openapi.json: one OpenAPI 3.1 document for the whole app, written from each served
 * model's config, loaded signature and reference data — nothing is written per model.
 */

type Operation = Record<string, unknown>;
type PathItem = Record<string, Operation>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema, description: string) => ({ description, content: { 'application/json': { schema } } });
const errorResponse = (description: string) => json(ref('Error'), description);

/** The errors every model route may answer with, besides its own 200. */
const MODEL_ERRORS = {
  '400': errorResponse('bad input: the message names the field or value that was wrong'),
  '404': errorResponse('no such model, version or label'),
  '413': errorResponse('request body over the size limit'),
  '503': errorResponse('no version loaded yet, the graph service is unavailable, or the queue is full (see Retry-After)'),
};

const SHARED_SCHEMAS: Record<string, Schema> = {
  Error: {
    type: 'object',
    description: 'Every error, on every route: a 4xx/5xx status and a message that names what was wrong (never a stack trace).',
    required: ['error'],
    properties: { error: { type: 'string' } },
  },
  LegacyError: {
    type: 'object',
    description: 'Errors of /get_score also carry the old service\'s "msg" and "code".',
    required: ['error', 'msg', 'code'],
    properties: { error: { type: 'string' }, msg: { type: 'string' }, code: { type: 'integer' } },
  },
  TfModelStatus: {
    type: 'object',
    description: 'GetModelStatusResponse, as TF Serving writes it: one entry per version the app knows.',
    required: ['model_version_status'],
    properties: {
      model_version_status: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            version: { type: 'string' },
            state: { type: 'string', enum: ['START', 'LOADING', 'AVAILABLE', 'UNLOADING', 'END'] },
            status: { type: 'object', properties: { error_code: { type: 'string' }, error_message: { type: 'string' } } },
          },
        },
      },
    },
  },
  TfModelMetadata: {
    type: 'object',
    description: "GetModelMetadataResponse: the version's serving_default signature (inputs and outputs with dtype and shape).",
    required: ['model_spec', 'metadata'],
    properties: { model_spec: { type: 'object' }, metadata: { type: 'object' } },
  },
  V2ModelMetadata: {
    type: 'object',
    required: ['name', 'platform', 'inputs', 'outputs'],
    properties: {
      name: { type: 'string' },
      versions: { type: 'array', items: { type: 'string' } },
      platform: { type: 'string' },
      inputs: { type: 'array', items: ref('V2TensorMetadata') },
      outputs: { type: 'array', items: ref('V2TensorMetadata') },
    },
  },
  V2TensorMetadata: {
    type: 'object',
    required: ['name', 'datatype', 'shape'],
    properties: { name: { type: 'string' }, datatype: { type: 'string' }, shape: { type: 'array', items: { type: 'integer' } } },
  },
};

const toTag = (facts: ModelFacts, protocol: string) => `${facts.name} · ${protocol}`;

function describeModel(facts: ModelFacts): string {
  const lines = [facts.model.config.description ?? `Model ${facts.name}.`, ''];
  if (facts.version === undefined) {
    lines.push('No version was loaded when this document was built, so its fields are not known yet.');
    return lines.join('\n');
  }
  lines.push(`Version ${facts.version} (${facts.model.config.backend}). Outputs:`);
  for (const o of facts.outputs) lines.push(`- \`${o.spec.name}\`: ${outputMeaning(o)}`);
  const labels = Object.entries(facts.model.config.labels);
  if (labels.length) lines.push('', `Labels: ${labels.map(([l, v]) => `${l} → ${v}`).join(', ')}.`);
  return lines.join('\n');
}

interface Selector {
  suffix: string;
  opSuffix: string;
  parameters: Record<string, unknown>[];
  summary: string;
}

/** The latest version, a numbered one, a label: the three ways every model route is addressed. */
function selectors(facts: ModelFacts, kind: 'v1' | 'v2'): Selector[] {
  const list: Selector[] = [{ suffix: '', opSuffix: '', parameters: [], summary: 'the latest version' }];
  const version = {
    name: 'version',
    in: 'path',
    required: true,
    description: 'a version number',
    schema: { type: 'integer', minimum: 1 },
    ...(facts.version !== undefined && { example: facts.version }),
  };
  list.push({ suffix: '/versions/{version}', opSuffix: '_version', parameters: [version], summary: 'a given version' });
  const labels = Object.keys(facts.model.config.labels);
  if (kind === 'v1' && labels.length) {
    const label = { name: 'label', in: 'path', required: true, description: 'a version label', schema: { type: 'string', enum: labels }, example: labels[0] };
    list.push({ suffix: '/labels/{label}', opSuffix: '_label', parameters: [label], summary: 'a labelled version' });
  }
  return list;
}

function example(examples: Examples | undefined, value: (e: Examples) => unknown) {
  if (!examples) return {};
  return { examples: { reference: { summary: 'a record from the model\'s reference data', description: `Built from ${examples.source}; the answer matches the reference prediction.`, value: value(examples) } } };
}

function bodyOf(schema: Schema, examples: Examples | undefined, value: (e: Examples) => unknown) {
  return { required: true, content: { 'application/json': { schema, ...example(examples, value) } } };
}

function tfServingPaths(facts: ModelFacts, examples: Examples | undefined, paths: Record<string, PathItem>): void {
  const n = facts.name;
  const tags = [toTag(facts, 'TF Serving REST')];
  const outputs = facts.model.config.outputs ?? [];
  const classifiable = outputs.some((o) => o.role === 'probabilities' && o.classes);
  const regressable = outputs.some((o) => o.role === 'score' || o.role === 'value') || facts.outputs.length === 1;
  const arrayFields = facts.fields.some((f) => f.dims);
  const record = ref(`${n}.Record`);
  for (const s of selectors(facts, 'v1')) {
    const base = `/v1/models/${n}${s.suffix}`;
    const parameters = s.parameters;
    paths[base] = {
      get: { tags, operationId: `${n}_tf_status${s.opSuffix}`, summary: `Status of ${s.summary}`, parameters, responses: { '200': json(ref('TfModelStatus'), 'version states'), ...MODEL_ERRORS } },
    };
    paths[`${base}/metadata`] = {
      get: { tags, operationId: `${n}_tf_metadata${s.opSuffix}`, summary: `Signature of ${s.summary}`, parameters, responses: { '200': json(ref('TfModelMetadata'), 'the serving_default signature'), ...MODEL_ERRORS } },
    };
    paths[`${base}:predict`] = {
      post: {
        tags,
        operationId: `${n}_tf_predict${s.opSuffix}`,
        summary: `Predict with ${s.summary} (row "instances" or columnar "inputs")`,
        parameters,
        requestBody: bodyOf(
          {
            oneOf: [
              { type: 'object', required: ['instances'], properties: { signature_name: { type: 'string', const: 'serving_default' }, instances: { type: 'array', minItems: 1, items: ref(`${n}.PredictInstance`) } } },
              { type: 'object', required: ['inputs'], description: 'columnar: {input: batch} (or the batch itself for a one-input model)', properties: { signature_name: { type: 'string', const: 'serving_default' }, inputs: {} } },
            ],
          },
          examples,
          (e) => e.predict,
        ),
        responses: {
          '200': json(
            {
              type: 'object',
              description: 'row requests get "predictions" (one per instance), columnar ones "outputs"',
              properties: { predictions: { type: 'array', items: ref(`${n}.Prediction`) }, outputs: {} },
            },
            'predictions',
          ),
          ...MODEL_ERRORS,
        },
      },
    };
    const featuresBody = { type: 'object', required: ['examples'], properties: { signature_name: { type: 'string' }, context: { type: 'object', description: 'features shared by every example' }, examples: { type: 'array', minItems: 1, items: record } } };
    if (classifiable && !arrayFields) {
      paths[`${base}:classify`] = {
        post: {
          tags,
          operationId: `${n}_tf_classify${s.opSuffix}`,
          summary: `Classify records with ${s.summary}`,
          parameters,
          requestBody: bodyOf(featuresBody, examples, (e) => e.classify),
          responses: {
            '200': json(
              { type: 'object', required: ['results'], properties: { results: { type: 'array', description: 'per example, [class, score] for every class', items: { type: 'array', items: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] } } } } },
              'class scores',
            ),
            ...MODEL_ERRORS,
          },
        },
      };
    }
    if (regressable && !arrayFields) {
      paths[`${base}:regress`] = {
        post: {
          tags,
          operationId: `${n}_tf_regress${s.opSuffix}`,
          summary: `Regress records with ${s.summary}`,
          parameters,
          requestBody: bodyOf(featuresBody, examples, (e) => e.classify),
          responses: { '200': json({ type: 'object', required: ['results'], properties: { results: { type: 'array', items: { type: 'number' } } } }, 'one value per example'), ...MODEL_ERRORS },
        },
      };
    }
  }
}

function v2Paths(facts: ModelFacts, examples: Examples | undefined, paths: Record<string, PathItem>): void {
  const n = facts.name;
  const tags = [toTag(facts, 'Open Inference v2')];
  for (const s of selectors(facts, 'v2')) {
    const base = `/v2/models/${n}${s.suffix}`;
    const parameters = s.parameters;
    paths[base] = { get: { tags, operationId: `${n}_v2_metadata${s.opSuffix}`, summary: `Metadata of ${s.summary}`, parameters, responses: { '200': json(ref('V2ModelMetadata'), 'inputs and outputs'), ...MODEL_ERRORS } } };
    paths[`${base}/ready`] = {
      get: {
        tags,
        operationId: `${n}_v2_ready${s.opSuffix}`,
        summary: `Is ${s.summary} ready`,
        parameters,
        responses: {
          '200': json({ type: 'object', properties: { name: { type: 'string' }, ready: { const: true } } }, 'ready'),
          '503': json({ type: 'object', properties: { name: { type: 'string' }, ready: { const: false } } }, 'not ready'),
          '404': errorResponse('no such model'),
        },
      },
    };
    paths[`${base}/infer`] = {
      post: {
        tags,
        operationId: `${n}_v2_infer${s.opSuffix}`,
        summary: `Infer with ${s.summary}`,
        parameters,
        requestBody: bodyOf(ref(`${n}.V2InferRequest`), examples, (e) => e.infer),
        responses: { '200': json(ref(`${n}.V2InferResponse`), 'the outputs'), ...MODEL_ERRORS },
      },
    };
  }
}

function legacyPaths(facts: ModelFacts, examples: Examples | undefined, paths: Record<string, PathItem>): void {
  const n = facts.name;
  const legacyError = (d: string) => json(ref('LegacyError'), d);
  paths['/get_score'] = {
    post: {
      tags: ['get_score (legacy)'],
      operationId: 'get_score',
      summary: `Score ${n} records (the old Flask services' API)`,
      description: `Records in, one result per record out, from the latest version of ${n}. "data" may also be columns ({field: [values]}), as pandas writes them.`,
      requestBody: bodyOf({ type: 'object', required: ['data'], properties: { data: { oneOf: [{ type: 'array', minItems: 1, items: ref(`${n}.Record`) }, ref(`${n}.Record`), { type: 'object', description: 'columns: {field: [values]}' }] } } }, examples, (e) => e.getScore),
      responses: {
        '200': json(
          {
            type: 'object',
            required: ['msg', 'code', 'data'],
            properties: { msg: { const: 'Successful!' }, code: { const: 200 }, data: { type: 'array', description: 'one entry per record, in order', items: ref(`${n}.Score`) } },
          },
          'one result per record',
        ),
        '400': legacyError('bad input: the message names the record and field'),
        '413': legacyError('request body over the size limit'),
        '503': legacyError('no version loaded yet or the service is overloaded'),
      },
    },
  };
}

function opsPaths(paths: Record<string, PathItem>): void {
  const ops = ['health and operations'];
  const html = (d: string) => ({ description: d, content: { 'text/html': { schema: { type: 'string' } } } });
  paths['/health'] = {
    get: {
      tags: ops,
      operationId: 'health',
      summary: "The old services' health check",
      responses: {
        '200': json({ type: 'object', properties: { health: { const: 'status' }, code: { const: 200 } } }, 'every model has a version loaded'),
        '503': json({ type: 'object', properties: { health: { type: 'string' }, code: { const: 503 }, error: { type: 'string' } } }, 'not ready'),
      },
    },
  };
  paths['/v2/health/live'] = { get: { tags: ops, operationId: 'v2_live', summary: 'Liveness', responses: { '200': json({ type: 'object', properties: { live: { const: true } } }, 'alive') } } };
  paths['/v2/health/ready'] = {
    get: {
      tags: ops,
      operationId: 'v2_ready',
      summary: 'Readiness: every model has a version loaded and no shutdown has begun',
      responses: { '200': json({ type: 'object', properties: { ready: { const: true } } }, 'ready'), '503': json({ type: 'object', properties: { ready: { const: false } } }, 'not ready') },
    },
  };
  paths['/v2'] = {
    get: {
      tags: ops,
      operationId: 'v2_server_metadata',
      summary: 'Server metadata',
      responses: { '200': json({ type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' }, extensions: { type: 'array', items: { type: 'string' } } } }, 'server name and version') },
    },
  };
  paths['/metrics'] = {
    get: { tags: ops, operationId: 'metrics', summary: 'Prometheus metrics', responses: { '200': { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } } },
  };
  paths['/openapi.json'] = { get: { tags: ops, operationId: 'openapi', summary: 'This document', responses: { '200': json({ type: 'object' }, 'OpenAPI 3.1') } } };
  paths['/docs'] = { get: { tags: ops, operationId: 'docs', summary: 'Swagger UI on this document', responses: { '200': html('the page') } } };
  paths['/'] = { get: { tags: ops, operationId: 'status_page', summary: 'The status page: versions, traffic, latency', responses: { '200': html('the page') } } };
  paths['/status.json'] = {
    get: {
      tags: ops,
      operationId: 'status_json',
      summary: "What the status page shows, as JSON (models, versions, recent traffic by version and protocol)",
      parameters: [{ name: 'since', in: 'query', required: false, description: 'only traffic points after this time (ms since the epoch)', schema: { type: 'integer' } }],
      responses: { '200': json({ type: 'object' }, 'status') },
    },
  };
}

export async function buildOpenApi(models: ModelSet, serverVersion: string): Promise<Record<string, unknown>> {
  const all = await Promise.all(models.all().map(modelFacts));
  const schemas: Record<string, Schema> = { ...SHARED_SCHEMAS };
  const paths: Record<string, PathItem> = {};
  const tags: { name: string; description: string }[] = [];
  const primary = models.primary().name;
  for (const facts of all) {
    const examples = buildExamples(facts);
    const n = facts.name;
    schemas[`${n}.Record`] = recordSchema(facts);
    schemas[`${n}.Score`] = scoreItemSchema(facts);
    schemas[`${n}.PredictInstance`] = predictInstanceSchema(facts);
    schemas[`${n}.Prediction`] = predictionSchema(facts);
    schemas[`${n}.V2InferRequest`] = v2InferRequestSchema(facts);
    schemas[`${n}.V2InferResponse`] = v2InferResponseSchema(facts);
    if (n === primary) {
      tags.push({ name: 'get_score (legacy)', description: `The legacy API, served by ${n}.\n\n${describeModel(facts)}` });
      legacyPaths(facts, examples, paths);
    }
    tags.push({ name: toTag(facts, 'TF Serving REST'), description: describeModel(facts) });
    tags.push({ name: toTag(facts, 'Open Inference v2'), description: describeModel(facts) });
    tfServingPaths(facts, examples, paths);
    v2Paths(facts, examples, paths);
  }
  opsPaths(paths);
  tags.push({ name: 'health and operations', description: 'Probes, metrics and these pages.' });
  const names = all.map((f) => f.name);
  return {
    openapi: '3.1.0',
    info: {
      title: names.length === 1 ? `${names[0]} — modelyard` : `modelyard: ${names.length} models`,
      version: serverVersion,
      description: `Serves ${names.join(', ')} over the TF Serving REST API, the Open Inference Protocol (v2) and the legacy /get_score. Every error is {"error": "..."} with a 4xx/5xx status. Generated from each model's model.json and loaded signature.`,
    },
    tags,
    paths,
    components: { schemas },
  };
}
