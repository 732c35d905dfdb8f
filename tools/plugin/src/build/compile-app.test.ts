/** The shared app compiler: emits dist/ from src/ without tests, and fails on a type error. */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileApp } from './compile-app';

const ROOT = resolve('.');
const dir = mkdtempSync(join(tmpdir(), 'compile-app-'));
cpSync(join(ROOT, 'tsconfig.base.json'), join(dir, 'tsconfig.base.json'));
symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function app(name: string, main: string): void {
  mkdirSync(join(dir, 'apps', name, 'src'), { recursive: true });
  writeFileSync(join(dir, 'apps', name, 'src', 'main.ts'), main);
  writeFileSync(join(dir, 'apps', name, 'src', 'main.test.ts'), 'export {};\n');
}

describe('compileApp', () => {
  it('emits dist/main.js and leaves the tests out', () => {
    app('good', "export const port: number = Number(process.env['PORT'] ?? 8080);\n");
    expect(compileApp(dir, 'good', true)).toBe('');
    expect(existsSync(join(dir, 'apps/good/dist/main.js'))).toBe(true);
    expect(existsSync(join(dir, 'apps/good/dist/main.test.js'))).toBe(false);
  });

  it('reports a type error with its file and does not pass', () => {
    app('bad', "export const port: number = 'eighty';\n");
    expect(compileApp(dir, 'bad', false)).toMatch(/apps\/bad\/src\/main\.ts.*TS2322/s);
  });

  it('says so when the app has no sources', () => {
    expect(compileApp(dir, 'missing', true)).toBe('apps/missing/src has no .ts files');
  });
});
