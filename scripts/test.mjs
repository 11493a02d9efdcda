#!/usr/bin/env node
// `npm test`: layer check → type check → build → every vitest project (unit, integration, e2e).
// Extra arguments go to vitest (e.g. `npm test -- --project unit`).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const steps = [
  ['layer check', 'node', ['scripts/check-layers.mjs']],
  ['type check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['lint', 'npx', ['eslint', '--max-warnings=0', '--no-error-on-unmatched-pattern', 'src', 'test', 'scripts', 'bench']],
  ['build', 'npx', ['electron-vite', 'build', '--logLevel', 'warn']],
  ['tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-output/vitest.json', ...process.argv.slice(2)]],
];

for (const [name, cmd, args] of steps) {
  const t0 = Date.now();
  process.stdout.write(`\n▶ ${name}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : process.env.FORCE_COLOR } });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) {
    process.stdout.write(`✖ ${name} failed after ${secs}s\n`);
    process.exit(r.status ?? 1);
  }
  process.stdout.write(`✔ ${name} (${secs}s)\n`);
}

// One plain closing line with the counts, for anything that reads the end of the log.
try {
  const r = JSON.parse(readFileSync('test-output/vitest.json', 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  process.stdout.write(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
} catch {
  // the counts are a convenience; vitest's own summary is above
}
