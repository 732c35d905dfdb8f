import { z } from 'zod';
import { DTYPES } from '../tensor/tensor.js';

/**
 * models/<name>/model.json: everything the runtime needs to know about a model that the
 * artifact itself does not say — where its inputs come from in a caller's record, what
 * its outputs mean, which versions to serve, and how to batch.
 */

const dim = z.number().int().min(-1);

/** A served model name (see modelConfigSchema.name). */
export const MODEL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

const inputSchema = z
  .strictObject({
    /** The model's input name (the ONNX graph input, the TF signature alias). */
    name: z.string().min(1),
    /** Checked against the model at load time when given. */
    dtype: z.enum(DTYPES).optional(),
    shape: z.array(dim).optional(),
    /** The record field that feeds this input, one value per record (shape [N, 1]). */
    field: z.string().min(1).optional(),
    /** Several record fields packed, in order, into one tensor (shape [N, fields.length]). */
    fields: z.array(z.string().min(1)).min(1).optional(),
  })
  .refine((i) => !(i.field !== undefined && i.fields !== undefined), {
    message: 'give either "field" or "fields", not both',
  });

const outputSchema = z.strictObject({
  name: z.string().min(1),
  /** What the output means, for callers of the legacy API and for docs. */
  role: z.enum(['label', 'probabilities', 'score', 'value']).default('value'),
  /** Class names, in column order, for a probabilities output. */
  classes: z.array(z.string()).optional(),
});

const versionPolicySchema = z.union([
  z.strictObject({ latest: z.strictObject({ numVersions: z.number().int().positive().default(1) }) }),
  z.strictObject({ all: z.strictObject({}) }),
  z.strictObject({ specific: z.strictObject({ versions: z.array(z.number().int().positive()).min(1) }) }),
]);

const batchingSchema = z.strictObject({
  /** Largest number of rows run together; requests larger than this run on their own. */
  maxBatchSize: z.number().int().positive().default(32),
  /** How long the first request of a batch waits for company. */
  batchTimeoutMicros: z.number().int().min(0).default(1000),
  /** Requests waiting beyond this are refused with 503 instead of queueing without bound. */
  maxEnqueuedRequests: z.number().int().positive().default(1000),
});

// --- admission (data plane) ---------------------------------------------------------
const admissionSchema = z.strictObject({
  /** Requests of this model being read, decoded or run at once; more get a fast 503. */
  maxInFlight: z.number().int().positive().default(128),
  /**
   * Rows decoded and waiting for or in the backend at once. A request is always admitted
   * when nothing else holds rows, so one large request is never refused by this limit.
   */
  maxQueuedRows: z.number().int().positive().default(100_000),
  /** What the 503's Retry-After header says. */
  retryAfterSeconds: z.number().int().positive().default(1),
});
export type AdmissionConfig = z.infer<typeof admissionSchema>;
// -------------------------------------------------------------------------------------

// --- safety gates (docs/safety.md) ---------------------------------------------------
/** A version or a label: `2` or `"canary"`. */
const versionOrLabel = z.union([z.number().int().positive(), z.string().regex(/^[A-Za-z0-9_.-]+$/)]);

const selfCheckSchema = z.strictObject({
  /** Run the version's reference.json before it serves; false loads it as before (with a warning). */
  enabled: z.boolean().default(true),
  /** Largest |served - reference| for a number (probabilities, scores, values). Labels must be equal. */
  tolerance: z.number().min(0).default(1e-4),
  /** Reference rows run at load; the first ones are taken. */
  maxRecords: z.number().int().positive().default(1000),
});
export type SelfCheckConfig = z.infer<typeof selfCheckSchema>;
export const selfCheckOf = (config: { selfCheck?: SelfCheckConfig }): SelfCheckConfig => config.selfCheck ?? selfCheckSchema.parse({});

const trafficSchema = z.strictObject({
  /** Percent of unpinned requests sent to `canaryTo` (0–100). */
  canary: z.number().min(0).max(100).default(0),
  canaryTo: versionOrLabel.default('canary'),
  /** A caller sending this header always lands on the same side of the split. */
  stickyHeader: z.string().min(1).default('x-user-id'),
  /** Mirror a share of requests to a version whose answers are compared, never returned. */
  shadow: z
    .strictObject({
      to: versionOrLabel,
      percent: z.number().min(0).max(100).default(100),
      /** Mirrored requests of this model running at once; beyond it a mirror is skipped (counted), never queued. */
      maxInFlight: z.number().int().positive().default(16),
    })
    .optional(),
});
export type TrafficConfig = z.infer<typeof trafficSchema>;

const recordSchema = z.strictObject({
  /** Folder of the JSON-lines files; relative to the process's working directory. */
  dir: z.string().min(1),
  /** Share of requests recorded (0–1). */
  sample: z.number().min(0).max(1).default(0.01),
  /** A file past this size is rotated: requests.jsonl → requests.1.jsonl → ... */
  maxFileBytes: z.number().int().positive().default(10 * 1024 * 1024),
  /** Rotated files kept; the oldest is deleted. */
  maxFiles: z.number().int().positive().default(5),
  /** Record fields written as null (ids, names: whatever must not be stored). */
  redact: z.array(z.string().min(1)).default([]),
});
export type RecordConfig = z.infer<typeof recordSchema>;

const gateSchema = z.strictObject({
  /** The promotion pipeline refuses stg → prd above these (tools/ci/replay-gate.ts). */
  maxLabelFlipRate: z.number().min(0).max(1).default(0.02),
  maxMeanAbsDelta: z.number().min(0).default(0.02),
});
export type GateConfig = z.infer<typeof gateSchema>;
export const gateOf = (config: { gate?: GateConfig }): GateConfig => config.gate ?? gateSchema.parse({});
// -------------------------------------------------------------------------------------

/**
 * What every model.json holds whatever its backend. The backend's own settings are one
 * block named after it ("onnx": {...}, "tfserving": {...}); the whole schema is built from
 * the registered backends (buildModelConfigSchema), so adding a backend adds its block.
 */
const baseShape = {
  /**
   * The served model name, in every URL of every protocol (/v1/models/<name>, /v2/models/<name>):
   * TF Serving's names like half_plus_two or ResNet50_v2 are kept. The app's Kubernetes name
   * is separate (DNS-1123, chosen by the generator). Narrower than TF Serving, which takes
   * any run of characters but "/" and ":": this name is also a folder name and a metric label.
   */
  name: z
    .string()
    .regex(MODEL_NAME, 'must be letters, digits, "_", "." and "-", starting with a letter, digit or "_" (e.g. half_plus_two, ResNet50_v2, churn-api)')
    .max(255),
  description: z.string().optional(),
  /** The artifact inside each version folder; default by backend (model.onnx, model.json, saved_model.pb, ...). */
  artifact: z.string().min(1).optional(),
  inputs: z.array(inputSchema).min(1).optional(),
  outputs: z.array(outputSchema).min(1).optional(),
  versionPolicy: versionPolicySchema.default({ latest: { numVersions: 1 } }),
  /** Version labels, as in TF Serving: e.g. {"stable": 1, "canary": 2}. */
  labels: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), z.number().int().positive()).default({}),
  batching: batchingSchema.optional(),
  /**
   * A request of more rows than `maxRowsPerRun` runs as consecutive runs of at most that many
   * rows (TF Serving's large batch splitting): the backend's memory follows the run, not the
   * request (batching/split-rows.ts). Rows must be independent: so by default only a model
   * with `batching` (which says so) is split, at 4096 rows; giving this block splits any model.
   */
  largeRequests: z.strictObject({ maxRowsPerRun: z.number().int().positive() }).optional(),
  /** Bounded admission per model: beyond it requests get 503 + Retry-After at once. */
  admission: admissionSchema.default({ maxInFlight: 128, maxQueuedRows: 100_000, retryAfterSeconds: 1 }),
  /**
   * A model in each version folder that turns what callers send into the model's inputs
   * (the role a pickled scikit-learn transformer had); runs in the logic app, on any
   * in-process backend (default onnx).
   */
  transformer: z.strictObject({ artifact: z.string().min(1), backend: z.string().min(1).default('onnx') }).optional(),
  /**
   * The legacy POST /get_score. `output`: which output becomes `data` (default: every output,
   * per record); the old services' exact `data`, a list of labels, is `"output": "<the label
   * output>"` (skl2onnx calls it `label`). `coerce: "pandas"`: read records as pd.DataFrame +
   * scikit-learn did (numeric strings and booleans in numeric fields, numbers in categorical
   * ones); default strict: a wrong type is a 400 naming the field.
   */
  getScore: z.strictObject({ output: z.string().min(1).optional(), coerce: z.enum(['pandas']).optional() }).default({}),
  /** Safety gates (docs/safety.md): absent blocks take their defaults where they are read. */
  selfCheck: selfCheckSchema.optional(),
  traffic: trafficSchema.optional(),
  record: recordSchema.optional(),
  gate: gateSchema.optional(),
  /** How often the version folders are rescanned for new versions. */
  pollSeconds: z.number().min(0.1).default(2),
};
const baseSchema = z.strictObject(baseShape);

/** What the config layer needs to know of a backend: its name, artifact and settings block. */
export interface BackendConfigSpec {
  kind: string;
  defaultArtifact: string;
  /** The backend's settings, the block named after `kind`; every field has a default or is optional. */
  options: z.ZodType;
  /** In-process backends can also run a transformer; remote ones cannot. */
  image: { inProcess: boolean };
}

export const DEFAULT_BACKEND = 'onnx';

/**
 * model.json's schema for these backends: a union on "backend" in which each member
 * allows only its own settings block (an "onnx" block on a tfjs model is a mistake worth
 * naming) and fills its defaults, so a model never carries another backend's defaults.
 */
export function buildModelConfigSchema(backends: readonly BackendConfigSpec[]) {
  const kinds = backends.map((b) => b.kind) as [string, ...string[]];
  const inProcess = backends.filter((b) => b.image.inProcess).map((b) => b.kind) as [string, ...string[]];
  const transformer = z
    .strictObject({ artifact: z.string().min(1), backend: z.enum(inProcess, { error: `must be an in-process backend: ${inProcess.join(', ')}` }).default(DEFAULT_BACKEND) })
    .optional();
  const members = backends.map((b) =>
    baseSchema.extend({
      backend: z.literal(b.kind),
      artifact: z.string().min(1).default(b.defaultArtifact),
      [b.kind]: b.options.prefault({}),
      transformer,
    }),
  );
  // First every field but the backend's own block, so that an unknown backend is reported
  // together with the other mistakes of the file, not instead of them.
  const common = baseSchema.extend({
    backend: z.enum(kinds, { error: `must be one of the registered backends: ${kinds.join(', ')}` }),
    transformer,
    ...Object.fromEntries(kinds.map((k) => [k, z.unknown().optional()])),
  });
  // Typed loosely: the members are built at run time, one per registered backend.
  const union = z.discriminatedUnion('backend', members as unknown as [typeof common, ...(typeof common)[]]) as unknown as z.ZodType<unknown, z.output<typeof common>>;
  const withDefault = (raw: unknown) =>
    raw && typeof raw === 'object' && !Array.isArray(raw) && (raw as { backend?: unknown }).backend === undefined ? { ...raw, backend: DEFAULT_BACKEND } : raw;
  return z
    .preprocess(withDefault, common)
    .pipe(union)
    .transform((c) => c as unknown as ModelConfig);
}
export type ModelConfigSchema = ReturnType<typeof buildModelConfigSchema>;

/**
 * A parsed model config. `backend` is any registered kind and the backend's settings block
 * sits under its name; each backend reads its own block, typed, through its descriptor.
 */
export type ModelConfig = z.infer<typeof baseSchema> & { backend: string; artifact: string };
export type InputConfig = z.infer<typeof inputSchema>;
export type OutputConfig = z.infer<typeof outputSchema>;
export type VersionPolicy = z.infer<typeof versionPolicySchema>;
export type BatchingConfig = z.infer<typeof batchingSchema>;

/** The file whose presence (and changes) marks a version folder as loadable (filled per backend when parsed). */
export const artifactOf = (config: ModelConfig): string => config.artifact;
