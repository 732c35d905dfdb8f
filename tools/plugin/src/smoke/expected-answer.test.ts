/** The smoke test's comparisons can fail: wrong numbers, labels, shapes and keys are named. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertClose, latestVersion, referenceCase, smokeCase } from './expected-answer.js';

// vitest runs from the workspace root.
const MODELS = resolve('models');

describe('assertClose', () => {
  it('accepts numbers within 1e-5 and refuses beyond, naming the path', () => {
    expect(() => assertClose({ a: [1, 2.000001] }, { a: [1, 2] })).not.toThrow();
    expect(() => assertClose({ a: [1, 2.001] }, { a: [1, 2] })).toThrow('$.a[1]: 2.001 differs from 2');
    expect(() => assertClose({ a: 'x' }, { a: 'y' })).toThrow('$.a: "x" is not "y"');
    expect(() => assertClose({ a: 1, b: 2 }, { a: 1 })).toThrow('unexpected keys b');
    expect(() => assertClose([1], [1, 2])).toThrow('expected an array of 2');
  });
});

describe('reference case', () => {
  it('checks penguins answers against its latest version, labels and probabilities', () => {
    expect(latestVersion(join(MODELS, 'penguins'))).toBe(2);
    const c = referenceCase(join(MODELS, 'penguins'), {});
    const ref = (c.request as { data: unknown[] }).data;
    expect(ref.length).toBeGreaterThan(10);
    const good = { data: ref.map(() => ({ label: 'Adelie', probabilities: { Adelie: 1, Chinstrap: 0, Gentoo: 0 } })) };
    // Not the reference: the first differing record is named.
    expect(() => c.check(good)).toThrow(/data\[\d+\]\.(label|probabilities)/);
    expect(() => c.check({ data: [] })).toThrow(/expected data with/);
  });

  it('uses getScore.output when the model names one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smoke-ref-'));
    mkdirSync(join(dir, '3'));
    writeFileSync(join(dir, '3', 'reference.json'), JSON.stringify({ records: [{ x: 1 }], outputs: { p: [[0.25, 0.75]], label: [1] } }));
    const c = referenceCase(dir, { getScore: { output: 'p' } });
    expect(() => c.check({ data: [{ a: 0.25, b: 0.75 }] })).not.toThrow();
    expect(() => c.check({ data: [{ a: 0.75, b: 0.25 }] })).toThrow('data[0][0]: 0.75 differs');
  });
});

describe('sample case', () => {
  it('prefers models/<model>/sample.json and compares the whole answer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smoke-sample-'));
    writeFileSync(join(dir, 'model.json'), '{}');
    writeFileSync(join(dir, 'sample.json'), JSON.stringify({ request: { data: [{ x: 1 }] }, response: { msg: 'Successful!', code: 200, data: [0.5] } }));
    const c = smokeCase(dir);
    expect(c.request).toEqual({ data: [{ x: 1 }] });
    expect(() => c.check({ msg: 'Successful!', code: 200, data: [0.500001] })).not.toThrow();
    expect(() => c.check({ msg: 'Successful!', code: 200, data: [0.6] })).toThrow('$.data[0]');
  });

  it('refuses a sample without request or response', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smoke-sample-'));
    writeFileSync(join(dir, 'sample.json'), JSON.stringify({ request: {} }));
    expect(() => smokeCase(dir)).toThrow('must hold {"request"');
  });
});
