/** The root docker-compose.yml is valid for Compose and lists every model app. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const run = promisify(execFile);

describe('docker-compose.yml', () => {
  it('passes `docker-compose config`', async () => {
    await run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q']);
  });

  it('has a service, built from its Dockerfile, for every model app', () => {
    const compose = parse(readFileSync('docker-compose.yml', 'utf8'));
    const apps = readdirSync('apps').filter((a) => existsSync(`apps/${a}/Dockerfile`));
    for (const app of apps) {
      expect(compose.services[app]?.build?.dockerfile, app).toBe(`apps/${app}/Dockerfile`);
      if (existsSync(`apps/${app}/graph/Dockerfile`)) expect(compose.services[`${app}-graph`]?.networks).toEqual([`${app}-graph`]);
    }
  });

  it('the check can fail: a broken file is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-'));
    writeFileSync(join(dir, 'docker-compose.yml'), 'version: "3.8"\nservices:\n  x:\n    image: a\n    ports: "not-a-list"\n');
    await expect(run('docker-compose', ['-f', join(dir, 'docker-compose.yml'), 'config', '-q'])).rejects.toThrow();
  });
});
