#!/usr/bin/env node
// `npm run gpu:check`: runs bench/gpu-check.ts (through tsx, no build needed). It tries tensorflow-gpu
// then webgpu, trains the bench model there and on the CPU, and prints backend, samples/s and the
// agreement. Exit 0: GPU verified, or no GPU here (reason printed); 1: the GPU run disagreed with the
// CPU; 2: the check failed.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const tsx = join(dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');
const r = spawnSync(process.execPath, [tsx, join(ROOT, 'bench', 'gpu-check.ts')], { stdio: 'inherit', cwd: ROOT });
process.exit(r.status ?? 2);
