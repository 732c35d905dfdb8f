import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * The runtime's layers point one way: server → protocols → data plane (dataplane/,
 * inference/) → repository (and batching/) → backends → leaves (features/, config/, threads/,
 * tensor/, wasm/, errors.ts). A module may import its own layer and those below, never above.
 * Tests are exempt: they drive whole servers.
 */
const RUNTIME = 'libs/runtime/src';
const above = (...folders) => ({
  regex: `(^|/)(${folders.join('|')})/`,
  message: `layers point one way (server → protocols → dataplane → repository → backends): this import reaches up into ${folders.join(' or ')}/.`,
});
/**
 * The tfserving and v2 backends are clients of TF Serving's and the Open Inference
 * Protocol's wire formats, so they share the pure codecs of those formats with the protocols (JSON numbers, tensors, protos) — never its
 * routes, endpoints or errors.
 */
const WIRE_CODECS = 'tfserving/(json-parse|response|tensor-from-json|dtype-names|format-number)|grpc/(protos|status-codes|tensor-proto)|v2/(codec|binary-codec|datatypes)|shared/tensor-json';
const LAYERS = [
  { folders: ['protocols'], forbidden: [above('server')] },
  { folders: ['dataplane', 'inference'], forbidden: [above('server', 'protocols')] },
  // A yard's model cache sits beside the data plane: it drives repositories, never routes.
  { folders: ['yard'], forbidden: [above('server', 'protocols')] },
  { folders: ['repository', 'batching'], forbidden: [above('server', 'protocols', 'dataplane', 'inference')] },
  {
    folders: ['backends'],
    forbidden: [
      above('server', 'dataplane', 'inference', 'repository', 'batching'),
      { regex: `(^|/)protocols/(?!(${WIRE_CODECS})\\.js$)`, message: 'backends may use only the wire-format codecs under protocols/, not its adapters (layers point one way).' },
    ],
  },
  { folders: ['features', 'config', 'tensor', 'threads', 'wasm'], forbidden: [above('server', 'protocols', 'dataplane', 'inference', 'repository', 'batching', 'backends')] },
];
const layerRules = LAYERS.map(({ folders, forbidden }) => ({
  files: folders.map((f) => `${RUNTIME}/${f}/**/*.ts`),
  ignores: ['**/*.test.ts'],
  rules: { 'no-restricted-imports': ['error', { patterns: forbidden }] },
}));
layerRules.push({
  files: [`${RUNTIME}/errors.ts`],
  rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\./', message: 'errors.ts is a leaf: every layer imports it, it imports none.' }] }] },
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'tmp/**', '.nx/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  ...layerRules,
  {
    files: ['**/*.test.ts', 'tools/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Tests reach into parsed YAML and JSON whose shape they are checking.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The Nx plugin's CommonJS entry (tools/plugin/nx-plugin.cjs): require is the point of it.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
