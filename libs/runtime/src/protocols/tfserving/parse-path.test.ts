import { describe, expect, it } from 'vitest';
import { parseTfServingPath } from './parse-path.js';

describe('parseTfServingPath', () => {
  it.each([
    ['GET', '/v1/models/m', { kind: 'status', model: 'm' }],
    ['GET', '/V1/Models/m/versions/3', { kind: 'status', model: 'm', version: 3 }],
    ['GET', '/v1/models/m/labels/stable', { kind: 'status', model: 'm', label: 'stable' }],
    ['GET', '/v1/models/m/versions/3/metadata', { kind: 'metadata', model: 'm', version: 3 }],
    ['GET', '/v1/models/modelname%21%23/metadata', { kind: 'metadata', model: 'modelname!#' }],
    ['POST', '/v1/models/m:predict', { kind: 'predict', model: 'm' }],
    ['POST', '/v1/models/m/labels/canary:classify', { kind: 'classify', model: 'm', label: 'canary' }],
    ['POST', '/v1/models/m/versions/2:regress', { kind: 'regress', model: 'm', version: 2 }],
  ])('%s %s', (method, path, route) => {
    expect(parseTfServingPath(method, path)).toEqual(route);
  });

  it.each([
    ['GET', '/v1/models/m/versions/HELLO'],
    ['GET', '/v1/models/m/versions/1/labels/x'],
    ['GET', '/v1/models/m/version/1'],
    ['GET', '/v1/models/m:predict'],
    ['POST', '/v1/models/m/metadata'],
    ['POST', '/v1/models'],
    ['POST', '/v1/models/m:PREDICT'],
    ['DELETE', '/v1/models/m'],
  ])('%s %s is malformed', (method, path) => {
    expect(() => parseTfServingPath(method, path)).toThrow(`Malformed request: ${method} ${path}`);
  });

  it('has the special messages for a missing name and an int64 overflow', () => {
    expect(() => parseTfServingPath('GET', '/v1/models')).toThrow('Missing model name in request.');
    expect(() => parseTfServingPath('GET', '/v1/models/m/versions/99999999999999999999')).toThrow(
      'Failed to convert version: 99999999999999999999 to numeric.',
    );
  });
});
