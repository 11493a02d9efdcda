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

/** Semantic errors of `checked` (message @ line) when `changed` reads `text` (every other file as on disk; later calls reuse the previous program). */
function errorsWith(changed: string, text: string, checked: string): string[] {
  const cfg = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!cfg) throw new Error('tsconfig.json could not be read');
  const host = ts.createCompilerHost(cfg.options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => (resolve(f) === changed ? text : read(f));
  const getSource = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, onError, create) => (resolve(f) === changed ? ts.createSourceFile(f, text, lang) : getSource(f, lang, onError, create));
  const program = ts.createProgram({ rootNames: [checked], options: { ...cfg.options, noEmit: true }, host, oldProgram: previous });
  previous = program;
  const file = program.getSourceFile(checked)!;
  // Each error with the source line it points at (a mask error names no field; its line does).
  return program.getSemanticDiagnostics(file).map((d) => {
    const line = d.start === undefined ? '' : file.text.split('\n')[file.getLineAndCharacterOfPosition(d.start).line].trim();
    return `${ts.flattenDiagnosticMessageText(d.messageText, '\n')} @ ${line}`;
  });
}

const workerErrors = (text: string) => errorsWith(WORKER, text, WORKER);

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

describe('experiments keep parts of their children’s contracts, not copies', () => {
  const BACKTEST = join(ROOT, 'src/shared/results/backtest.ts');
  const PARTS = join(ROOT, 'src/shared/results/experiment-parts.ts');
  const READER = join(ROOT, 'src/main/experiments/child-requests.ts');
  const source = readFileSync(BACKTEST, 'utf8');

  it('renaming a backtest metric in the backtest contract breaks the experiment schema and the experiment reader at compile time', { timeout: 120_000 }, () => {
    const line = '  total_trades: count,';
    expect(source).toContain(line);
    expect(errorsWith(BACKTEST, source, PARTS)).toEqual([]);
    const renamed = source.replace(line, '  trades_total: count,');
    expect(errorsWith(BACKTEST, renamed, PARTS).join('\n')).toMatch(/total_trades/);
    expect(errorsWith(BACKTEST, renamed, READER).join('\n')).toMatch(/total_trades/);
  });
});
