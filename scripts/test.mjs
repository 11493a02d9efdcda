#!/usr/bin/env node
// `npm test`: layer check → type check → build → every vitest project (unit, integration, e2e).
// Extra arguments go to vitest (e.g. `npm test -- --project unit`).
import { spawnSync } from 'node:child_process';

const steps = [
  ['layer check', 'node', ['scripts/check-layers.mjs']],
  ['type check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['lint', 'npx', ['eslint', '--max-warnings=0', '--no-error-on-unmatched-pattern', 'src', 'test', 'scripts', 'bench']],
  ['build', 'npx', ['electron-vite', 'build', '--logLevel', 'warn']],
  ['tests', 'npx', ['vitest', 'run', ...process.argv.slice(2)]],
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
