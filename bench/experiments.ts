// Experiments benchmark: a 12-fold walk-forward of neuro_mean_reversion on EURUSD 1h 2007-2018 and a
// 16-trial random sweep, through a real server (the built bundle, children in worker processes).
// Reports wall time and CPU utilisation: the server's CPU time plus that of its reaped children
// (/proc/<pid>/stat utime+stime+cutime+cstime) over wall time × cores.
//
// Knobs (env): BENCH_EXP_EPOCHS (default: the strategy's own, 30), BENCH_EXP_FOLDS_ONLY=1 / BENCH_EXP_SWEEP_ONLY=1,
// KTRDR_MAX_WORKERS (default: the core count). Numbers on a shared machine are pessimistic.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { REPO, http, startServer, waitFor, type TestServer } from '../test/helpers/server';
import { round } from './stats';

const TICKS = 100; // Linux USER_HZ

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields 14-17 (1-based) are utime, stime, cutime, cstime; f[0] is field 3
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
}

/** CPU time of the live process tree under pid (children not yet reaped are not in cutime). */
function liveChildrenCpu(pid: number): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) === pid) total += (Number(f[11]) + Number(f[12])) / TICKS;
    } catch {
      // gone
    }
  }
  return total;
}

/** Median run time of the children by type (started → completed), to see where an experiment's time goes. */
function childSeconds(kids: Array<{ operation_type: string; started_at: string | null; completed_at: string | null }>): Record<string, { n: number; median_s: number; total_s: number }> {
  const by: Record<string, number[]> = {};
  for (const k of kids) {
    if (!k.started_at || !k.completed_at) continue;
    (by[k.operation_type] ??= []).push((Date.parse(k.completed_at) - Date.parse(k.started_at)) / 1000);
  }
  return Object.fromEntries(
    Object.entries(by).map(([type, xs]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return [type, { n: xs.length, median_s: round(sorted[Math.floor(sorted.length / 2)], 2), total_s: round(xs.reduce((a, b) => a + b, 0), 1) }];
    }),
  );
}

async function runExperiment(s: TestServer, path: string, body: Record<string, unknown>) {
  const pid = s.proc.pid!;
  const cpu0 = cpuSeconds(pid) + liveChildrenCpu(pid);
  const t0 = Date.now();
  const started = await http('POST', `${s.api}${path}`, body);
  if (started.status !== 200) throw new Error(`${path} answered ${started.status}: ${JSON.stringify(started.body)}`);
  const id = started.body.operation_id as string;
  const op = await waitFor(async () => {
    const o = (await http('GET', `${s.api}/operations/${id}`)).body.data;
    return ['completed', 'failed', 'cancelled'].includes(o.status) ? o : null;
  }, 3 * 3600_000, 1000);
  const wall = (Date.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) + liveChildrenCpu(pid) - cpu0;
  const kids = (await http('GET', `${s.api}/operations/${id}/children`)).body.data as any[];
  const { results } = (await http('GET', `${s.api}/operations/${id}/results`)).body;
  return { id, status: op.status, error: op.error_message, wall_s: round(wall, 1), cpu_s: round(cpu, 1), cpu_utilisation: round(cpu / (wall * cpus().length), 3), children: kids.length, child_seconds: childSeconds(kids), results };
}

export async function benchExperiments(): Promise<Record<string, unknown>> {
  const epochs = process.env.BENCH_EXP_EPOCHS;
  // The built bundle, as users run it (`npm run bench` builds first): from sources every child would
  // compile the worker's TypeScript again on start.
  const s = await startServer({ built: true, env: { LOG_LEVEL: 'warn', KTRDR_MAX_WORKERS: process.env.KTRDR_MAX_WORKERS ?? String(cpus().length) } });
  const out: Record<string, unknown> = { cores: cpus().length, epochs: epochs ? Number(epochs) : 'strategy default (30)', note: `load average ${loadavg()[0].toFixed(1)} at start` };
  try {
    let text = readFileSync(join(REPO, 'strategies', 'neuro_mean_reversion.yaml'), 'utf8').replace(/timeframe: 1d/, 'timeframe: 1h');
    if (epochs) text = text.replace(/epochs: \d+/, `epochs: ${epochs}`);
    mkdirSync(join(s.home, 'strategies'), { recursive: true });
    writeFileSync(join(s.home, 'strategies', 'nmr_bench.yaml'), text);

    if (!process.env.BENCH_EXP_SWEEP_ONLY) {
      const wf = await runExperiment(s, '/experiments/walk-forward/start', {
        strategy_name: 'nmr_bench',
        start_date: '2007-01-01',
        end_date: '2018-12-31',
        // 35 months + 12 × 9 months = 143 months: 12 folds inside the bundled 2007-01-01 … 2018-12-31 bars.
        train_window: '35M',
        test_window: '9M',
      });
      out.walk_forward_12_folds = {
        status: wf.status,
        error: wf.error,
        folds: wf.results?.folds?.length,
        children: wf.children,
        wall_s: wf.wall_s,
        cpu_s: wf.cpu_s,
        cpu_utilisation: wf.cpu_utilisation,
        child_seconds: wf.child_seconds,
        stitched_return: wf.results?.stitched_metrics?.total_return,
        goal_s: 120,
      };
    }
    if (!process.env.BENCH_EXP_FOLDS_ONLY) {
      const sw = await runExperiment(s, '/experiments/sweeps/start', {
        strategy_name: 'nmr_bench',
        start_date: '2015-01-01',
        end_date: '2018-12-31',
        space: { 'indicators.rsi_14.period': { min: 7, max: 28, step: 1 }, 'training.learning_rate': { min: 0.0003, max: 0.01, log: true } },
        sampler: 'random',
        trials: 16,
        objective: 'oos_sharpe',
        seed: 1,
      });
      out.sweep_16_random = {
        status: sw.status,
        error: sw.error,
        trials: sw.results?.trials?.length,
        children: sw.children,
        wall_s: sw.wall_s,
        cpu_s: sw.cpu_s,
        cpu_utilisation: sw.cpu_utilisation,
        child_seconds: sw.child_seconds,
        dsr: sw.results?.overfitting?.deflated_sharpe?.deflated_sharpe_ratio,
        pbo: sw.results?.overfitting?.pbo?.pbo,
        goal_s: 120,
      };
    }
  } finally {
    await s.stop();
  }
  return out;
}
