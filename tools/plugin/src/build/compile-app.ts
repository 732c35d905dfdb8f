/**
 * Compiles (or only type-checks, with --noEmit) one model app with the workspace's compiler
 * settings: `tsx tools/plugin/src/build/compile-app.ts <app> [--noEmit]`. The settings live
 * here once, so an app needs no tsconfig of its own. Built apps import the runtime's
 * compiled dist (no "development" condition); type-checking reads its sources.
 */
import { join, resolve } from 'node:path';
import ts from 'typescript';

export function appCompilerConfig(app: string, emit: boolean): Record<string, unknown> {
  const src = `apps/${app}/src`;
  return {
    extends: './tsconfig.base.json',
    compilerOptions: emit ? { noEmit: false, rootDir: src, outDir: `apps/${app}/dist`, customConditions: [], declaration: false } : { noEmit: true },
    include: [`${src}/**/*.ts`],
    exclude: emit ? [`${src}/**/*.test.ts`] : [],
  };
}

/** Diagnostics as text; empty when the app compiled cleanly. */
export function compileApp(root: string, app: string, emit: boolean): string {
  const parsed = ts.parseJsonConfigFileContent(appCompilerConfig(app, emit), ts.sys, root, undefined, join(root, `tsconfig.${app}.json`));
  if (parsed.fileNames.length === 0) return `apps/${app}/src has no .ts files`;
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const emitted = program.emit();
  const diagnostics = [...parsed.errors, ...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  if (diagnostics.length === 0) return '';
  return ts.formatDiagnosticsWithColorAndContext(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' });
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]).endsWith('compile-app.ts');
if (isMain) {
  const [app, flag] = process.argv.slice(2);
  if (!app || !/^[a-z0-9-]+$/.test(app) || (flag !== undefined && flag !== '--noEmit')) {
    console.error('usage: compile-app.ts <app> [--noEmit]');
    process.exit(2);
  }
  const errors = compileApp(process.cwd(), app, flag !== '--noEmit');
  if (errors) {
    console.error(errors);
    process.exit(1);
  }
}
