/** The sync generator: docker-compose.yml follows the apps, keeps what is not generated, and reports drift. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import type { Tree } from '@nx/devkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { modelGenerator } from '../generators/model/generator';
import { syncComposeGenerator } from './sync-compose';

const ROOT = resolve(__dirname, '../../../..');
let tree: Tree;
beforeEach(() => {
  tree = createTreeWithEmptyWorkspace();
});

describe('sync-compose', () => {
  it('is in sync for the workspace as committed (what `nx sync:check` checks in CI)', async () => {
    for (const file of ['docker-compose.yml', ...['penguins', 'iris', 'cars', 'digits'].flatMap((a) => [`apps/${a}/project.json`, `models/${a}/model.json`])]) {
      tree.write(file, readFileSync(resolve(ROOT, file)));
    }
    expect(await syncComposeGenerator(tree)).toBeUndefined();
  });

  it('reports and repairs drift: a hand edit, a removed app, a missing service', async () => {
    await modelGenerator(tree, { name: 'churn' });
    await modelGenerator(tree, { name: 'fraud' });
    expect(await syncComposeGenerator(tree)).toBeUndefined();
    tree.write('docker-compose.yml', tree.read('docker-compose.yml', 'utf-8')!.replace('127.0.0.1:8080:8080', '127.0.0.1:9999:8080') + '  mine:\n    image: redis\n');
    tree.delete('apps/fraud');
    const result = await syncComposeGenerator(tree);
    expect(result).toEqual({ outOfSyncMessage: expect.stringContaining('docker-compose.yml') });
    const compose = parse(tree.read('docker-compose.yml', 'utf-8')!);
    expect(compose.services.churn.ports).toEqual(['127.0.0.1:8080:8080']);
    expect(compose.services.fraud).toBeUndefined();
    expect(compose.services.mine).toEqual({ image: 'redis' });
  });
});
