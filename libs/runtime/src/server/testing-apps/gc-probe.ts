/**
 * An app entry for the request-retention test: serves MODEL from MODELS_DIR and prints its
 * URL as one JSON line; the test drives it and reads V8's --trace-gc-nvp lines on stdout.
 */
const { serve } = await import('../serve.js');

const running = await serve({ model: process.env['MODEL'] ?? 'iris', handleSignals: true });
process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);
