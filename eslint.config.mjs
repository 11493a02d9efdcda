import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Files that produce or read operation results (the no-`any` rule below applies to them). */
export const RESULT_READERS = [
  'src/shared/results/**/*.ts',
  'src/shared/metrics-catalog.ts',
  'src/shared/significance.ts',
  'src/shared/evaluation-text.ts',
  'src/common/**/*.ts',
  'src/core/report/**/*.ts',
  'src/worker/jobs/backtest.ts',
  'src/worker/jobs/training.ts',
  'src/worker/jobs/portfolio-backtest.ts',
  'src/core/portfolio/analysis.ts',
  'src/core/portfolio/benchmark.ts',
  'src/core/portfolio/significance.ts',
  'src/main/api/routes/operations.ts',
  'src/main/api/routes/backtests.ts',
  'src/main/api/routes/backtest-report.ts',
  'src/main/api/routes/portfolio.ts',
  'src/cli/format.ts',
  'src/cli/commands/backtest.ts',
  'src/cli/commands/portfolio.ts',
  'src/cli/commands/train.ts',
  'src/cli/commands/operations.ts',
  'src/cli/mcp/server.ts',
  'src/renderer/src/hooks/useResults.ts',
  'src/renderer/src/lib/shapes.ts',
  'src/renderer/src/lib/format.ts',
  'src/renderer/src/lib/backtest.ts',
  'src/renderer/src/lib/backtest-evaluation.ts',
  'src/renderer/src/lib/training-results.ts',
  'src/renderer/src/lib/compare.ts',
  'src/renderer/src/components/BacktestResults.tsx',
  'src/renderer/src/components/PortfolioResults.tsx',
  'src/renderer/src/lib/portfolio.ts',
  'src/renderer/src/components/TrainingResults.tsx',
  'src/renderer/src/components/RunComparison.tsx',
  'src/renderer/src/components/ResultSections.tsx',
  'src/renderer/src/components/TradeAnalysis.tsx',
  'src/renderer/src/components/SignificanceNote.tsx',
  'src/renderer/src/components/TradesTable.tsx',
  'src/renderer/src/components/KeyValueTable.tsx',
  'src/renderer/src/components/tearsheet-slot.tsx',
];

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-output/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', __dirname: 'readonly', __filename: 'readonly', require: 'readonly', module: 'readonly', window: 'readonly', document: 'readonly', localStorage: 'readonly', fetch: 'readonly', performance: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', structuredClone: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  // Result readers and producers (issue 23): no `any`, and nothing untyped flowing through them. A
  // result is read through its zod schema (src/shared/results), never as a loose record. Type-aware,
  // so it is limited to these files.
  {
    files: RESULT_READERS,
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
    },
  },
);
