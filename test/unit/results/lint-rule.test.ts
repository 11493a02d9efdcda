// "No `any` in result readers" is a lint rule, on in `npm test`'s lint step: an explicit `any` or an
// untyped value flowing through a reader file is an error there, and not in other files.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');

describe('the no-any rule of result readers', () => {
  it('flags an explicit any and an unsafe member access in a reader, not in another file', { timeout: 180_000 }, async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const reader = 'src/cli/format.ts';
    const code = `${readFileSync(resolve(ROOT, reader), 'utf8')}\nexport function sneaky(r: any): unknown {\n  return r.metrics.sharpe;\n}\n`;
    const [res] = await eslint.lintText(code, { filePath: resolve(ROOT, reader) });
    const rules = res.messages.map((m) => m.ruleId);
    expect(rules).toContain('@typescript-eslint/no-explicit-any');
    expect(rules).toContain('@typescript-eslint/no-unsafe-member-access');
    const [other] = await eslint.lintText('export function loose(r: any): unknown {\n  return r.x;\n}\n', { filePath: resolve(ROOT, 'src/cli/commands/strategies-extra.ts') });
    expect(other.messages.map((m) => m.ruleId)).not.toContain('@typescript-eslint/no-explicit-any');
  });

  it('is on for every kind of reader, and part of npm test (the lint step lints src with zero warnings allowed)', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const readers = [
      'src/shared/results/present.ts',
      'src/worker/jobs/backtest.ts',
      'src/cli/mcp/server.ts',
      'src/core/report/backtest-report.ts',
      'src/main/api/routes/operations.ts',
      'src/renderer/src/components/BacktestResults.tsx',
      'src/renderer/src/lib/shapes.ts',
      // Experiments: their producers and the readers of their children's results and of their own.
      'src/main/experiments/child-requests.ts',
      'src/main/experiments/walk-forward.ts',
      'src/main/experiments/sweep.ts',
      'src/main/experiments/scheduler.ts',
      'src/cli/commands/experiment.ts',
      'src/renderer/src/components/experiments/ExperimentResults.tsx',
      'src/renderer/src/components/experiments/ExperimentCompare.tsx',
      'src/renderer/src/views/ExperimentsView.tsx',
    ];
    for (const f of readers) {
      const cfg = (await eslint.calculateConfigForFile(resolve(ROOT, f))) as { rules: Record<string, unknown[]> };
      for (const rule of ['@typescript-eslint/no-explicit-any', '@typescript-eslint/no-unsafe-member-access', '@typescript-eslint/no-unsafe-argument']) expect(cfg.rules[rule]?.[0], `${f} ${rule}`).toBe(2);
    }
    const script = readFileSync(resolve(ROOT, 'scripts/test.mjs'), 'utf8');
    expect(script).toMatch(/\['lint', 'npx', \['eslint', '--max-warnings=0'[^\]]*'src'/);
  });
});
