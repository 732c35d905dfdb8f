/**
 * The pieced parse of large bodies gives exactly JSON.parse's value on valid JSON, and
 * gives up (undefined: the caller then parses the usual way and words the error) on
 * anything else; depth beyond the limit is the depth check's error.
 */
import { describe, expect, it } from 'vitest';
import { runSteps } from '../../threads/time-slices.js';
import { parseJsonInPieces } from './json-pieces.js';

const pieces = (text: string, maxDepth = 72) => runSteps(parseJsonInPieces(text, maxDepth));
const record = (i: number) => ({ Island: i % 3 ? 'Biscoe' : 'Dre,am[]{"}', 'Beak Length (mm)': 39.1 + i / 7, n: i % 5 ? null : -0, s: 'é\u2028\\"x', t: true });
const many = (n: number) => Array.from({ length: n }, (_, i) => record(i));

describe('parseJsonInPieces', () => {
  it.each([
    ['records', JSON.stringify({ data: many(20_000) })],
    ['records, pretty-printed', JSON.stringify({ data: many(8_000) }, null, 2)],
    ['instances of one-element lists', JSON.stringify({ instances: many(20_000).map((r) => ({ a: [r.Island], b: [r['Beak Length (mm)']] })) })],
    ['columns', JSON.stringify({ inputs: { a: many(40_000).map((r) => [r.Island]), b: many(40_000).map((r) => [r['Beak Length (mm)']]) } })],
    ['v2 tensors', JSON.stringify({ id: 'x', inputs: [{ name: 'a', shape: [60_000, 1], datatype: 'FP32', data: many(60_000).map((r) => r['Beak Length (mm)']) }, { name: 'b', shape: [0], datatype: 'BYTES', data: [] }] })],
    ['a large item inside a list', JSON.stringify([1, { big: many(5_000) }, [], {}, 'x', [many(3_000)]])],
    ['keys JSON.parse keeps as they are', `{"__proto__": {"polluted": 1}, "a": 1, "a": ${JSON.stringify(many(10_000))}, "2": 0, "1": 0}`],
    ['a top-level list', JSON.stringify(many(15_000))],
    ['columns as {index: value} maps (pandas to_dict)', JSON.stringify({ data: { Island: Object.fromEntries(many(30_000).map((r, i) => [String(i), r.Island])), s: Object.fromEntries(many(30_000).map((r, i) => [`k${i % 20_000}`, r.s])) } })],
  ])('%s: the value JSON.parse gives', (_name, text) => {
    expect(text.length).toBeGreaterThan(500_000); // many pieces
    const value = pieces(text);
    expect(value).toStrictEqual(JSON.parse(text));
    expect(Object.keys(value as object)).toEqual(Object.keys(JSON.parse(text) as object));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  const big = JSON.stringify({ data: many(10_000) });
  it.each([
    ['a trailing comma in a large list', big.replace(/}]}$/, '},]}')],
    ['a missing comma', big.replace('},{', '} {')],
    ['two commas', big.replace('},{', '},,{')],
    ['a NaN token', big.replace('null', 'NaN')],
    ['a mismatched bracket', big.replace(/]}$/, '}}')],
    ['trailing garbage', `${big} x`],
    ['a second document', `${big}${big}`],
    ['a missing colon', big.replace('"Island":', '"Island" ')],
    ['an unquoted key', big.replace('{"Island"', '{Island')],
  ])('%s: gives up, for the usual parse to word the error', (_name, text) => {
    expect(pieces(text)).toBeUndefined();
  });

  it('refuses nesting beyond the limit with the depth check\'s error', () => {
    const text = JSON.stringify({ data: many(10_000), deep: [[[[[[[[1]]]]]]]] });
    expect(() => pieces(text, 8)).toThrow(/deeper than 8 levels/);
    expect(pieces(text, 12)).toStrictEqual(JSON.parse(text));
  });
});
