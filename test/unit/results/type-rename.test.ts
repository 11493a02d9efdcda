// "A renamed result field in the worker fails the type check": the backtest worker's result is typed
// by the contract (`const results: BacktestResult = {…}`), so renaming a field there is a compile
// error. This test type-checks src/worker/jobs/backtest.ts as it is (no error) and with one field
// renamed (an error naming the field), through the TypeScript compiler API on the project's tsconfig.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const WORKER = join(ROOT, 'src/worker/jobs/backtest.ts');

let previous: ts.Program | undefined;

/** Semantic errors of the worker file when its text is `text` (every other file as on disk; the second call reuses the first program). */
function workerErrors(text: string): string[] {
  const cfg = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!cfg) throw new Error('tsconfig.json could not be read');
  const host = ts.createCompilerHost(cfg.options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => (resolve(f) === WORKER ? text : read(f));
  const getSource = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, onError, create) => (resolve(f) === WORKER ? ts.createSourceFile(f, text, lang) : getSource(f, lang, onError, create));
  const program = ts.createProgram({ rootNames: [WORKER], options: { ...cfg.options, noEmit: true }, host, oldProgram: previous });
  previous = program;
  return program.getSemanticDiagnostics(program.getSourceFile(WORKER)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('the worker’s result is typed by the contract', () => {
  const source = readFileSync(WORKER, 'utf8');

  it('renaming trade_count in the worker is a type error naming the field; the file as it is has none', { timeout: 120_000 }, () => {
    const line = 'trade_count: result.trades.length,';
    expect(source).toContain(line);
    expect(workerErrors(source)).toEqual([]);
    const errors = workerErrors(source.replace(line, 'trades_count: result.trades.length,'));
    expect(errors.join('\n')).toMatch(/trades_count/);
    expect(errors.join('\n')).toMatch(/trade_count/);
  });
});
