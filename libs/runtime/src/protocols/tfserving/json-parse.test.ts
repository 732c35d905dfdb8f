import { describe, expect, it } from 'vitest';
import type { JsonNumber} from './json-parse.js';
import { parseTfServingBody } from './json-parse.js';
import { SCAN_BYTES_FROM } from '../shared/json-depth.js';
import { thrown } from '../../testing/thrown.js';

const fails = (text: string) => thrown(() => parseTfServingBody(text), `parsed: ${text}`).message;

describe('parseTfServingBody', () => {
  it('reads plain JSON like JSON.parse', () => {
    const text = '{"a": [1, 2.5, -3e2, "x\\n\\u00e9"], "b": {"c": null, "d": [true, false, [], {}]}, "e": [[], 1]}';
    expect(parseTfServingBody(text)).toEqual(JSON.parse(text));
  });

  it('accepts the NaN, Infinity and -Infinity tokens', () => {
    const v = parseTfServingBody('{"instances": [NaN, Infinity, -Infinity, 1]}') as { instances: number[] };
    expect(v.instances[0]).toBeNaN();
    expect(v.instances.slice(1)).toEqual([Infinity, -Infinity, 1]);
  });

  it('keeps numbers as written in lossless mode', () => {
    const v = parseTfServingBody('[9007199254740993, 1.0, 1, NaN]', { lossless: true }) as JsonNumber[];
    expect(v.map((n) => n.text)).toEqual(['9007199254740993', '1.0', '1', 'NaN']);
    expect(BigInt(v[0]!.text)).toBe(9007199254740993n);
    expect(v[1]!.isIntegerLiteral).toBe(false);
    expect(v[2]!.isIntegerLiteral).toBe(true);
  });

  it("describes errors in RapidJSON's words", () => {
    expect(fails('')).toBe('JSON Parse error: The document is empty.');
    expect(fails('   ')).toBe('JSON Parse error: The document is empty.');
    expect(fails('hello')).toBe('JSON Parse error: Invalid value. at offset: 0');
    expect(fails('[1 2]')).toBe("JSON Parse error: Missing a comma or ']' after an array element. at offset: 3");
    expect(fails('{"a" 1}')).toBe('JSON Parse error: Missing a colon after a name of object member. at offset: 5');
    expect(fails('{"a": 1,}')).toBe('JSON Parse error: Missing a name for object member. at offset: 8');
    expect(fails('["abc')).toBe('JSON Parse error: Missing a closing quotation mark in string. at offset: 1');
    expect(fails('[1, Nan]')).toBe('JSON Parse error: Invalid value. at offset: 4');
  });

  it('survives nesting far deeper than the call stack allows, when told to take it', () => {
    const depth = 200_000;
    const v = parseTfServingBody(`{"junk": ${'['.repeat(depth)}${']'.repeat(depth)}, "x": NaN}`, { maxDepth: Infinity }) as { x: number };
    expect(v.x).toBeNaN();
  });

  it('refuses nesting beyond maxDepth (the global cap by default) before parsing', () => {
    const body = (depth: number) => `{"junk": ${'['.repeat(depth)}${']'.repeat(depth)}, "x": NaN}`;
    expect(() => parseTfServingBody(body(200_000))).toThrow(/deeper than 72 levels/);
    expect(() => parseTfServingBody(body(5), { maxDepth: 5 })).toThrow(/deeper than 5 levels/);
    expect((parseTfServingBody(body(4), { maxDepth: 5 }) as { x: number }).x).toBeNaN();
  });
});

describe('scannedWithin: bytes already scanned as they arrived', () => {
  // Above SCAN_BYTES_FROM, so the bytes would be scanned before parsing.
  const padded = (text: string) => text + ' '.repeat(SCAN_BYTES_FROM);
  const nine = padded(`${'['.repeat(9)}1${']'.repeat(9)}`);

  it('are not scanned again against a limit no tighter than the arrival scan', () => {
    expect(() => parseTfServingBody(nine, { maxDepth: 8 })).toThrow(/deeper than 8 levels/);
    // The arrival scan's word stands (it would have refused a body deeper than 8): no second pass.
    expect(parseTfServingBody(nine, { maxDepth: 8, scannedWithin: 8 })).toEqual([[[[[[[[[1]]]]]]]]]);
  });

  it('are scanned again against a tighter limit', () => {
    expect(() => parseTfServingBody(nine, { maxDepth: 8, scannedWithin: 72 })).toThrow(/deeper than 8 levels/);
  });
});
