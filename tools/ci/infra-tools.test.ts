/** The preflight of `npm run test:infra` names what is missing, and passes when nothing is. */
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INFRA_TOOLS, missingInfraTools } from './infra-tools.js';
import preflight from './infra-preflight.js';

// A PATH that holds node and nothing else: no engine, groovy, compose or registry.
const bare = mkdtempSync(join(tmpdir(), 'bare-path-'));
symlinkSync(process.execPath, join(bare, 'node'));
const bareEnv = { PATH: bare };

describe('infra preflight', () => {
  it('names every missing tool with how to install it', () => {
    const missing = missingInfraTools(bareEnv);
    expect(missing).toHaveLength(INFRA_TOOLS.length);
    expect(missing.join('\n')).toMatch(/container engine.*podman/);
    expect(missing.join('\n')).toMatch(/groovy.*apt-get install -y groovy/);
    expect(missing.join('\n')).toMatch(/docker-compose.*apt-get install -y docker-compose/);
    expect(missing.join('\n')).toMatch(/docker-registry.*apt-get install -y docker-registry/);
  });

  it('fails the run at once on such a machine', () => {
    const path = process.env['PATH'];
    process.env['PATH'] = bare;
    try {
      expect(() => preflight()).toThrow(/npm run test:infra needs tools this machine does not have:\n- a container engine/);
    } finally {
      process.env['PATH'] = path;
    }
  });

  it('passes when a tool answers', () => {
    const node = { name: 'node', present: (env: NodeJS.ProcessEnv) => Boolean(env['PATH']), install: 'n/a' };
    expect(missingInfraTools(bareEnv, [node])).toEqual([]);
  });
});
