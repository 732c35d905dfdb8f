/** The root docker-compose.yml lists every model app, built from its shared recipe (no tool needed beyond Node). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listApps } from '../plugin/src/lib/app-info.js';
import { BACKENDS } from '../plugin/src/lib/backends.js';

describe('docker-compose.yml', () => {
  it('has a service, built from the shared recipe of its backend, for every model app', () => {
    const compose = parse(readFileSync('docker-compose.yml', 'utf8'));
    const apps = listApps('.');
    expect(apps.map((a) => a.app).sort()).toEqual(['cars', 'digits', 'iris', 'penguins']);
    for (const app of apps) {
      expect(compose.services[app.app]?.build, app.app).toEqual({ context: '.', dockerfile: BACKENDS[app.backend].recipe, args: { APP: app.app, MODEL: app.model } });
      expect(compose.services[app.app]?.ports).toEqual([`127.0.0.1:${app.devPort}:8080`]);
      if (app.graph) expect(compose.services[`${app.app}-graph`]?.networks).toEqual([`${app.app}-graph`]);
    }
  });
});
