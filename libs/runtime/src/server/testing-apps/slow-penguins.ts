/**
 * An app entry for the multi-process tests: the penguins model, where a request whose id
 * starts with "slow-" announces itself on stdout and then waits, so a test can hold a
 * request in flight in a known server process while it signals the server.
 */
import { serve } from '../serve.js';

await serve({
  model: 'penguins',
  hooks: {
    preprocess: async (input, ctx) => {
      if (ctx.requestId.startsWith('slow-')) {
        process.stdout.write(`IN_FLIGHT ${ctx.requestId} ${process.pid}\n`);
        await new Promise((r) => setTimeout(r, Number(process.env['SLOW_MS'] ?? 1000)));
      }
      return input;
    },
  },
});
