import { z } from 'zod';
import { defineBackend } from '../../backends/descriptor.js';

export const fakeOptions = z.strictObject({
  /** The `label` output says this when a row's sum passes `threshold`, else "small". */
  big: z.string().min(1).default('big'),
  threshold: z.number().default(10),
});
export type FakeOptions = z.infer<typeof fakeOptions>;

/**
 * A test-only backend, added the way any backend is: this folder plus one
 * registerBackend(fakeBackend) line. Its artifact, fake.json, says how the version behaves
 * ({"scale": 2} or {"fail": "why"} or {"retry": "why"}), so repository tests can stage
 * good, broken and not-yet-ready versions on disk.
 */
export const fakeBackend = defineBackend({
  kind: 'fake',
  defaultArtifact: 'fake.json',
  platform: 'modelyard_fake',
  options: fakeOptions,
  load: async ({ load, config, options }) => (await import('./fake-backend.js')).loadFakeBackend(load, config, options),
  image: { packages: [], inProcess: true },
});
