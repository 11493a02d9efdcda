// `npm run bench`: runs every benchmark module that exists, prints each result, and saves them
// all as JSON under bench/results/ (latest.json plus a dated copy). Pick some with
// `npm run bench -- operations data`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

const SUITES: Array<{ name: string; file: string; fn: string }> = [
  { name: 'operations', file: 'operations', fn: 'benchOperations' },
  { name: 'data', file: 'data', fn: 'benchData' },
  { name: 'indicators', file: 'indicators', fn: 'benchIndicators' },
  { name: 'features', file: 'features', fn: 'benchFeatures' },
  { name: 'training', file: 'training', fn: 'benchTraining' },
  { name: 'checkpoint', file: 'checkpoint', fn: 'benchCheckpoint' },
  { name: 'backtest', file: 'backtest', fn: 'benchBacktest' },
  { name: 'backtest_full', file: 'backtest-full', fn: 'benchBacktestFull' },
  { name: 'portfolio', file: 'portfolio', fn: 'benchPortfolio' },
  { name: 'significance', file: 'significance', fn: 'benchSignificance' },
  { name: 'tearsheet', file: 'tearsheet', fn: 'benchTearsheet' },
  { name: 'ui', file: 'ui', fn: 'benchUi' },
  { name: 'experiments', file: 'experiments', fn: 'benchExperiments' },
  { name: 'scaleout', file: 'scaleout', fn: 'benchScaleout' },
  { name: 'scaleout_faults', file: 'scaleout-faults', fn: 'benchScaleoutFaults' },
];

async function main() {
  const wanted = process.argv.slice(2);
  const results: Record<string, unknown> = {
    meta: { date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, platform: `${process.platform}-${process.arch}` },
  };
  for (const suite of SUITES) {
    if (wanted.length && !wanted.includes(suite.name)) continue;
    const path = join(__dirname, `${suite.file}.ts`);
    if (!existsSync(path)) {
      console.log(`- ${suite.name}: no benchmark yet (bench/${suite.file}.ts)`);
      continue;
    }
    const t0 = Date.now();
    process.stdout.write(`\n=== ${suite.name} ===\n`);
    try {
      const mod = await import(path);
      const out = await mod[suite.fn]();
      results[suite.name] = out;
      console.log(JSON.stringify(out, null, 2));
    } catch (err) {
      results[suite.name] = { error: (err as Error).message };
      console.log(`${suite.name} failed: ${(err as Error).stack}`);
    }
    console.log(`(${suite.name}: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  // A partial run (`npm run bench -- data`) updates its suites in latest.json and keeps the others.
  const latest = join(dir, 'latest.json');
  const previous = wanted.length && existsSync(latest) ? (JSON.parse(readFileSync(latest, 'utf8')) as Record<string, unknown>) : {};
  const text = JSON.stringify({ ...previous, ...results }, null, 2);
  writeFileSync(latest, text);
  writeFileSync(join(dir, `${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.json`), text);
  console.log(`\nSaved bench/results/latest.json`);
}

void main();
