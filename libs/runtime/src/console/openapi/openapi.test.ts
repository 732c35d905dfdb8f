import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_MODELS, startExampleApp, type ExampleApp } from '../../testing/example-apps.js';
import { watchModelConfig } from '../../inference/reload-config.js';
import { copyModel, silentLogger, startTestServer, WORKSPACE_MODELS } from '../../testing/fixtures.js';
import { sendOpenApiExamples } from '../../testing/openapi-examples.js';
import { onnxCategories } from './onnx-categories.js';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; requestBody?: unknown; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, { properties?: Record<string, { type?: unknown; description?: string; examples?: string[] }>; required?: string[]; description?: string }> };
};

interface ModelJson {
  name: string;
  inputs: { name: string; field?: string; fields?: string[] }[];
  outputs: { name: string; role?: string; classes?: string[] }[];
  labels?: Record<string, number>;
  getScore?: { output?: string };
}

const modelJson = async (name: string) => JSON.parse(await readFile(join(WORKSPACE_MODELS, name, 'model.json'), 'utf8')) as ModelJson;
const LATEST: Record<string, number> = { penguins: 2, iris: 1, cars: 1, digits: 1 };

describe.each(EXAMPLE_MODELS)('GET /openapi.json of the %s app', (name) => {
  let app: ExampleApp;
  let doc: Doc;
  let config: ModelJson;

  beforeAll(async () => {
    app = await startExampleApp(name);
    config = await modelJson(name);
    const res = await fetch(`${app.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    doc = (await res.json()) as Doc;
  }, 120_000);
  afterAll(() => app?.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every route the app serves, for this model', () => {
    const routes = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    for (const route of [
      `GET /v1/models/${name}`,
      `GET /v1/models/${name}/versions/{version}`,
      `GET /v1/models/${name}/metadata`,
      `POST /v1/models/${name}:predict`,
      `POST /v1/models/${name}/versions/{version}:predict`,
      `GET /v2/models/${name}`,
      `GET /v2/models/${name}/ready`,
      `POST /v2/models/${name}/infer`,
      `POST /v2/models/${name}/versions/{version}/infer`,
      'GET /v2/health/live',
      'GET /v2/health/ready',
      'GET /v2',
      'POST /get_score',
      'GET /health',
      'GET /metrics',
      'GET /status.json',
    ]) {
      expect(routes).toContain(route);
    }
    if (config.labels && Object.keys(config.labels).length) expect(routes).toContain(`POST /v1/models/${name}/labels/{label}:predict`);
    else expect(routes.some((r) => r.includes('/labels/'))).toBe(false);
  });

  it("names the model's real record fields, with their types", () => {
    const record = doc.components.schemas[`${name}.Record`]!;
    const fields = config.inputs.flatMap((i) => i.fields ?? [i.field ?? i.name]);
    expect(Object.keys(record.properties!)).toEqual(fields);
    expect(record.required).toEqual(fields);
    for (const field of fields) expect(record.properties![field]!.description).toMatch(/feeds model input "/);
  });

  it('says what each output means, with class names', () => {
    const text = JSON.stringify(doc);
    for (const output of config.outputs) {
      if (output.classes) expect(text).toContain(`probabilities of the classes ${output.classes.join(', ')}`);
      if (output.role === 'label') expect(text).toContain('the predicted class');
    }
  });

  it('documents the error body {"error": string} on every model route', () => {
    expect(doc.components.schemas['Error']).toMatchObject({ required: ['error'], properties: { error: { type: 'string' } } });
    const predict = doc.paths[`/v1/models/${name}:predict`]!['post']!;
    expect(predict.responses['400']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  });

  it('has examples that, sent as written, get 200 and the reference prediction', async () => {
    const results = await sendOpenApiExamples(app.url, doc, {
      name,
      labels: config.labels ?? {},
      latest: LATEST[name]!,
      outputs: config.outputs,
      ...(config.getScore?.output && { getScoreOutput: config.getScore.output }),
    });
    // get_score, predict and infer for the latest version and a numbered one at least.
    expect(results.length).toBeGreaterThanOrEqual(5);
    for (const r of results) {
      expect(r.mismatches, `${r.operationId} ${r.path}`).toEqual([]);
      expect(r.status).toBe(200);
    }
    expect(results.map((r) => r.operationId)).toEqual(expect.arrayContaining(['get_score', `${name}_tf_predict`, `${name}_v2_infer`]));
  });
});

describe('the OpenAPI document in detail', () => {
  let app: ExampleApp;
  let doc: Doc;
  beforeAll(async () => {
    app = await startExampleApp('penguins');
    doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as Doc;
  }, 120_000);
  afterAll(() => app?.close());

  it('types each penguins field: numbers and strings that may be null, with the categories the model knows', () => {
    const fields = doc.components.schemas['penguins.Record']!.properties!;
    expect(fields['Beak Length (mm)']!.type).toEqual(['number', 'null']);
    expect(fields['Island']!.type).toEqual(['string', 'null']);
    expect(fields['Island']!.examples).toEqual(['Biscoe', 'Dream', 'Torgersen']);
    expect(fields['Sex']!.examples).toEqual(['FEMALE', 'MALE']);
  });

  it('shows /get_score probabilities as {class: probability}', () => {
    const score = doc.components.schemas['penguins.Score']!;
    expect(Object.keys(score.properties!)).toEqual(['label', 'probabilities']);
    expect(Object.keys((score.properties!['probabilities'] as { properties: object }).properties)).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
  });

  it('is refused by the validator once broken, so the validity check can fail', async () => {
    const broken = structuredClone(doc) as unknown as { paths: Record<string, Record<string, Record<string, unknown>>> };
    delete broken.paths['/get_score']!['post']!['responses'];
    broken.paths['/v2']!['get']!['parameters'] = [{ name: 'x' }];
    const result = await new Validator().validate(broken as never);
    expect(result.valid).toBe(false);
  });
});

describe('onnxCategories', () => {
  it("reads the one-hot encoders' categories from the penguins pipeline, by graph input", async () => {
    const cats = onnxCategories(await readFile(join(WORKSPACE_MODELS, 'penguins', '1', 'model.onnx')));
    expect(Object.fromEntries(cats)).toEqual({ island: ['Biscoe', 'Dream', 'Torgersen'], sex: ['FEMALE', 'MALE'] });
  });

  it('finds none in a network without encoders, and none in bytes that are not a model', async () => {
    expect(onnxCategories(await readFile(join(WORKSPACE_MODELS, 'iris', '1', 'model.onnx'))).size).toBe(0);
    expect(onnxCategories(new Uint8Array([0x3a, 0x00])).size).toBe(0);
  });
});

describe('a model without reference data (TF Serving\'s half_plus_two)', () => {
  it('still gets a valid document with its real names, and no example it cannot vouch for', async () => {
    const server = await startTestServer({ models: ['half_plus_two'], modelsDir: join(dirname(fileURLToPath(import.meta.url)), '../../testing/fixtures') });
    try {
      const res = await request(server.app).get('/openapi.json');
      expect(res.status).toBe(200);
      const doc = res.body as Doc;
      expect((await new Validator().validate(doc as never)).valid).toBe(true);
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/models/half_plus_two:predict', '/v2/models/half_plus_two/infer']));
      expect(Object.keys(doc.components.schemas['half_plus_two.Record']!.properties!)).toEqual(['x']);
      expect(JSON.stringify(doc.paths)).not.toContain('"reference":{"summary"');
    } finally {
      await server.close();
    }
  });
});

describe('a model.json edited while the app runs', () => {
  it('is in the next /openapi.json: the document follows the config that serves', async () => {
    const root = await copyModel('iris', [1]);
    const server = await startTestServer({ models: ['iris'], modelsDir: root });
    try {
      const score = async () => ((await request(server.app).get('/openapi.json')).body as Doc).components.schemas['iris.Score'] as Record<string, unknown>;
      expect(Object.keys((await score())['properties'] as object)).toEqual(['setosa', 'versicolor', 'virginica']);
      const config = JSON.parse(await readFile(join(root, 'iris', 'model.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(join(root, 'iris', 'model.json'), JSON.stringify({ ...config, getScore: { output: 'class' } }));
      const watcher = watchModelConfig(server.models.get('iris'), join(root, 'iris'), silentLogger(), { poll: false });
      await watcher.check(); // the text the running config came from
      await writeFile(join(root, 'iris', 'model.json'), JSON.stringify({ ...config, getScore: { output: 'class' }, description: 'edited' }));
      expect(await watcher.check()).toBe('applied');
      expect(await score()).toMatchObject({ type: 'integer', description: expect.stringContaining('the predicted class') });
    } finally {
      await server.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
