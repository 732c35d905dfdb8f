/** models.config files parse as TF Serving's ModelServerConfig (protobuf text format). */
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelGenerator } from '../plugin/src/generators/model/generator.js';
import { parseModelServerConfig } from './model-server-config.js';

describe('models.config', () => {
  it('what the generator writes is a valid ModelServerConfig', async () => {
    const tree = createTreeWithEmptyWorkspace();
    const saved = mkdtempSync(join(tmpdir(), 'savedmodel-'));
    writeFileSync(join(saved, 'saved_model.pb'), '');
    await modelGenerator(tree, { name: 'digits', backend: 'tfserving', from: saved });
    expect(parseModelServerConfig(tree.read('models/digits/models.config', 'utf-8')!)).toEqual([
      { name: 'digits', basePath: '/models/digits', modelPlatform: 'tensorflow', policy: 'latest', versionLabels: {} },
    ]);
  });

  it("reads TF Serving's own example, labels and all", () => {
    const text = `model_config_list {
      config {
        name: 'half_plus_two'
        base_path: "/models/half_plus_two"   # versions are the numbered children
        model_platform: 'tensorflow'
        model_version_policy { specific { versions: 42 versions: 43 } }
        version_labels { key: 'stable' value: 42 }
        version_labels { key: 'canary' value: 43 }
      }
      config { name: 'other' base_path: '/models/other' model_platform: 'tensorflow' model_version_policy: { all {} } }
    }`;
    const [first, second] = parseModelServerConfig(text);
    expect(first).toMatchObject({ name: 'half_plus_two', policy: 'specific', versionLabels: { stable: 42n, canary: 43n } });
    expect(second).toMatchObject({ name: 'other', policy: 'all' });
  });

  it.each([
    ["model_config_list { config { nmae: 'x' } }", /nmae/],
    ["model_config_list { config { model_version_policy { latest { num_versions: 'two' } } } }", /expected an integer, got a string/],
  ])('refuses %s', (text, message) => {
    expect(() => parseModelServerConfig(text)).toThrow(message);
  });
});
