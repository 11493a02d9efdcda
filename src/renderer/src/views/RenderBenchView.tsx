import { useEffect, useMemo, useState } from 'react';
import type uPlot from 'uplot';
import { CandleChart } from '../components/CandleChart';
import { LineChart } from '../components/LineChart';
import { TearsheetBody } from '../components/Tearsheet';
import type { TearsheetPayload } from '../../../shared/tearsheet';
import type { CandleColumns } from '../lib/candles';

/**
 * `#/bench/equity?n=1000000` or `#/bench/candles?n=100000`: renders synthetic data with the same
 * chart components the views use and records the time from mounting to the first drawn frame
 * in `window.__renderTiming` (read by the render-timing browser test). `#/bench/tearsheet` draws
 * the tearsheet payload the page was given in `window.__tearsheetPayload` (bench/tearsheet.ts).
 */
export interface RenderTiming {
  kind: string;
  points: number;
  ms_generate: number;
  ms_first_draw: number;
  ms_first_frame: number;
}

function params(): { kind: 'equity' | 'candles' | 'tearsheet'; n: number } {
  const [path, query = ''] = window.location.hash.replace(/^#\/bench\/?/, '').split('?');
  const n = Number(new URLSearchParams(query).get('n')) || 100_000;
  return { kind: path === 'candles' || path === 'tearsheet' ? path : 'equity', n };
}

// Deterministic pseudo-random walk (xorshift), one bar per minute from 2020-01-01.
function walk(n: number) {
  let s = 2463534242;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 4294967296) - 0.5;
  };
  const time = new Float64Array(n);
  const close = new Float64Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    time[i] = 1577836800 + i * 60;
    p = Math.max(1, p + rnd() * 0.2);
    close[i] = p;
  }
  return { time, close, rnd };
}

export function RenderBenchView() {
  const { kind, n } = useMemo(params, []);
  const [ready, setReady] = useState<{ t0: number; gen: number; data: unknown } | null>(null);
  const [timing, setTiming] = useState<RenderTiming | null>(null);

  useEffect(() => {
    const g0 = performance.now();
    if (kind === 'tearsheet') {
      const payload = (window as unknown as { __tearsheetPayload?: TearsheetPayload }).__tearsheetPayload;
      if (payload) setReady({ t0: performance.now(), gen: 0, data: payload });
      return;
    }
    const { time, close, rnd } = walk(n);
    let data: unknown;
    if (kind === 'equity') data = { time, equity: close };
    else {
      const open = new Float64Array(n);
      const high = new Float64Array(n);
      const low = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        open[i] = i ? close[i - 1] : close[0];
        high[i] = Math.max(open[i], close[i]) + Math.abs(rnd()) * 0.1;
        low[i] = Math.min(open[i], close[i]) - Math.abs(rnd()) * 0.1;
      }
      data = { time, open, high, low, close } satisfies CandleColumns;
    }
    const gen = performance.now() - g0;
    setReady({ t0: performance.now(), gen, data });
  }, [kind, n]);

  const done = (t0: number, gen: number) => () => {
    const drawn = performance.now();
    requestAnimationFrame(() => {
      const t: RenderTiming = { kind, points: n, ms_generate: gen, ms_first_draw: drawn - t0, ms_first_frame: performance.now() - t0 };
      (window as unknown as { __renderTiming?: RenderTiming }).__renderTiming = t;
      setTiming(t);
    });
  };

  // One callback per payload: TearsheetBody reports once, after the frame that shows it.
  const tearsheetDone = useMemo(() => (ready && kind === 'tearsheet' ? done(ready.t0, ready.gen) : undefined), [ready, kind]);
  const series = useMemo(() => (ready && kind === 'equity' ? [{ label: 'equity', values: (ready.data as { equity: Float64Array }).equity, color: 'accent' as const }] : []), [ready, kind]);

  return (
    <section className="view" data-testid="view-bench">
      <h1>
        Render bench: {kind}, {n.toLocaleString('en-US')} points
      </h1>
      <p data-testid="bench-result">{timing ? `first draw ${timing.ms_first_draw.toFixed(1)} ms, first frame ${timing.ms_first_frame.toFixed(1)} ms` : 'rendering…'}</p>
      {ready && kind === 'equity' && (
        <LineChart
          x={(ready.data as { time: Float64Array }).time}
          series={series}
          height={400}
          time
          testId="bench-chart"
          onCreate={(u: uPlot) => {
            let first = true;
            const cb = done(ready.t0, ready.gen);
            u.hooks.draw = [...(u.hooks.draw ?? []), () => first && ((first = false), cb())];
          }}
        />
      )}
      {ready && kind === 'candles' && <CandleChart candles={ready.data as CandleColumns} height={400} testId="bench-chart" onFirstDraw={done(ready.t0, ready.gen)} />}
      {ready && kind === 'tearsheet' && <TearsheetBody payload={ready.data as TearsheetPayload} onFirstDraw={tearsheetDone} />}
    </section>
  );
}
