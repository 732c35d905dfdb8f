/** SIGTERM semantics on a real socket: not ready at once, in-flight requests finish, then exit. */
import { describe, expect, it } from 'vitest';
import { sleep } from '../testing/fixtures.js';
import { WORKSPACE_MODELS } from '../testing/fixtures.js';
import { serve } from './serve.js';

const penguin = { Island: 'Biscoe', 'Beak Length (mm)': 45.1, 'Beak Depth (mm)': 14.5, 'Flipper Length (mm)': 215, 'Body Mass (g)': 5000, Sex: 'FEMALE' };

describe('graceful shutdown', () => {
  it('finishes the request in flight, refuses new connections, then unloads', async () => {
    let entered!: () => void;
    const inFlight = new Promise<void>((r) => (entered = r));
    const running = await serve({
      model: 'penguins',
      // A slow business hook keeps one request in flight while shutdown starts.
      hooks: {
        preprocess: async (input) => {
          entered();
          await sleep(400);
          return input;
        },
      },
      env: { host: '127.0.0.1', port: 0, modelsDir: WORKSPACE_MODELS, logLevel: 'silent', shutdownTimeoutMs: 5000 },
      handleSignals: false,
    });
    const slow = fetch(`${running.url}/get_score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: [penguin] }) });
    await inFlight;
    const stopping = running.shutdown();
    expect(running.models.isReady()).toBe(true); // models stay loaded until the drain is over

    const res = await slow;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { label: string }[] }).data[0]!.label).toBe('Gentoo');
    await stopping;
    await expect(fetch(`${running.url}/v2/health/live`)).rejects.toThrow();
    expect(running.models.isReady()).toBe(false);
  });
});
