/** The root docker-compose.yml lists every model app (no tool needed beyond Node). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

describe('docker-compose.yml', () => {
  it('has a service, built from its Dockerfile, for every model app', () => {
    const compose = parse(readFileSync('docker-compose.yml', 'utf8'));
    const apps = readdirSync('apps').filter((a) => existsSync(`apps/${a}/Dockerfile`));
    for (const app of apps) {
      expect(compose.services[app]?.build?.dockerfile, app).toBe(`apps/${app}/Dockerfile`);
      if (existsSync(`apps/${app}/graph/Dockerfile`)) expect(compose.services[`${app}-graph`]?.networks).toEqual([`${app}-graph`]);
    }
  });
});
