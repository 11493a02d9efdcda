#!/usr/bin/env node
// Import-boundary check (DESIGN.md §3): imports point down only. Fails with every offending import.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');
// layer → layers it may import (besides itself)
const ALLOWED = {
  shared: [],
  // Pure logic that core and the renderer both need (binary search, membership functions, equity
  // statistics, the report's charts): VS Code's `common`. Above shared (it may use the contracts and
  // the metric catalogue), below everything else.
  common: ['shared'],
  core: ['common', 'shared'],
  // Node-side I/O that both processes need (bar files, model artifacts, strategy files).
  infra: ['core', 'common', 'shared'],
  worker: ['infra', 'core', 'common', 'shared'],
  main: ['infra', 'core', 'common', 'shared'],
  cli: ['common', 'shared'],
  preload: ['shared'],
  renderer: ['common', 'shared'],
};
// The CLI hosts `ktrdr serve`, which starts the main process, and `ktrdr worker`, which runs a
// scale-out worker (main/scaleout): those entries may reach into main.
const EXCEPTIONS = [
  { from: 'cli/commands/serve.ts', to: 'main' },
  { from: 'cli/commands/worker.ts', to: 'main' },
];
// Modules that must stay free of I/O and platform APIs.
const PURE_LAYERS = new Set(['common', 'core', 'shared']);
const IMPURE = /^(node:)?(fs|fs\/promises|child_process|net|http|https|os|worker_threads|cluster|dgram|electron|better-sqlite3|fastify)$/;

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|mts)$/.test(name)) out.push(p);
  }
  return out;
}

const problems = [];
for (const file of walk(SRC)) {
  const rel = relative(SRC, file).split(sep).join('/');
  const layer = rel.split('/')[0];
  if (!(layer in ALLOWED)) continue;
  const text = readFileSync(file, 'utf8');
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    const line = text.slice(0, m.index).split('\n').length;
    if (spec.startsWith('.')) {
      const target = relative(SRC, resolve(dirname(file), spec)).split(sep).join('/');
      const tLayer = target.split('/')[0];
      if (target.startsWith('..')) problems.push(`${rel}:${line} imports outside src: ${spec}`);
      else if (tLayer !== layer && !ALLOWED[layer].includes(tLayer) && !EXCEPTIONS.some((e) => e.from === rel && e.to === tLayer))
        problems.push(`${rel}:${line} (${layer}) must not import ${tLayer}: ${spec}`);
    } else if (PURE_LAYERS.has(layer) && IMPURE.test(spec)) {
      problems.push(`${rel}:${line} (${layer}) must stay pure but imports ${spec}`);
    }
  }
}
if (problems.length) {
  console.error(`Layer check failed (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('Layer check passed: imports point down only (renderer/preload/cli → common, shared; main, worker → infra → core → common, shared).');
