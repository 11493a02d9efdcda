// Each fuzzy set's membership functions drawn over its indicator's real range: the indicator is
// computed on the strategy's own sample series (POST /indicators/calculate) and the curves span what
// it actually takes, so a set that never fires is visible at a glance.
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import { membershipAt } from '../../../common/fuzzy';
import { plotRange } from '../lib/membership';
import type { ChartColor } from './chart-theme';
import { LineChart } from './LineChart';

interface FuzzySet {
  id: string;
  indicator: string;
  memberships: { name: string; type: string; parameters: number[] }[];
}
interface Indicator {
  id: string;
  type: string;
  params: Record<string, unknown>;
}

const COLORS: ChartColor[] = ['accent', 'good', 'bad', 'warn', 'muted', 'text'];
const POINTS = 200;
const value2 = (v: number) => v.toFixed(2);

export function MembershipPlots({ name, symbol, timeframe, reloadKey }: { name: string; symbol: string | null; timeframe: string | null; reloadKey?: number }) {
  const [sets, setSets] = useState<FuzzySet[]>([]);
  const [values, setValues] = useState<Record<string, (number | null)[]>>({});
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setSets([]);
    setValues({});
    setNote(null);
    (async () => {
      const s = await api.get<{ indicators?: Indicator[]; fuzzy_config?: Record<string, { indicator: string; memberships: FuzzySet['memberships'] }> }>(`/strategies/${encodeURIComponent(name)}`);
      const fs = Object.entries(s.fuzzy_config ?? {}).map(([id, f]) => ({ id, indicator: f.indicator, memberships: f.memberships ?? [] }));
      if (!live) return;
      setSets(fs);
      const inds = s.indicators ?? [];
      if (!symbol || !timeframe || inds.length === 0) return setNote('No sample series to compute the indicators on: curves are drawn over the sets’ parameters.');
      try {
        const r = await api.post<{ indicators?: Record<string, (number | null)[]> }>('/indicators/calculate?page_size=5000', {
          symbol,
          timeframe,
          indicators: inds.map((i) => ({ type: i.type, parameters: i.params ?? {}, output_name: i.id })),
        });
        if (live) setValues(r.indicators ?? {});
      } catch (e) {
        if (live) setNote(`Indicator values over ${symbol} ${timeframe} unavailable (${(e as Error).message}): curves are drawn over the sets’ parameters.`);
      }
    })().catch((e: Error) => live && setNote(e.message));
    return () => {
      live = false;
    };
  }, [name, symbol, timeframe, reloadKey]);

  if (sets.length === 0) return null;
  return (
    <div className="membership-plots" data-testid="membership-plots">
      <h3>Fuzzy sets {symbol && timeframe ? <span className="muted small">over {symbol} {timeframe}’s real indicator range</span> : null}</h3>
      {note && <p className="muted small">{note}</p>}
      <div className="charts-2">
        {sets.map((s) => (
          <SetPlot key={s.id} set={s} values={values[s.indicator] ?? values[s.indicator.split('.')[0]] ?? null} />
        ))}
      </div>
    </div>
  );
}

function SetPlot({ set, values }: { set: FuzzySet; values: (number | null)[] | null }) {
  const plot = useMemo(() => {
    const [lo, hi] = plotRange(values ?? [], set.memberships.map((m) => m.parameters));
    const x = Array.from({ length: POINTS }, (_, i) => lo + ((hi - lo) * i) / (POINTS - 1));
    const series = set.memberships.map((m, k) => ({ label: m.name, values: x.map((v) => membershipAt(m.type, m.parameters, v)), color: COLORS[k % COLORS.length] }));
    const finite = (values ?? []).filter((v): v is number => v !== null && Number.isFinite(v));
    return { x, series, observed: finite.length ? [Math.min(...finite), Math.max(...finite)] : null };
  }, [set, values]);
  return (
    <div data-testid={`membership-${set.id}`}>
      <h4>
        {set.id} <span className="muted small">({set.indicator}{plot.observed ? `, observed ${plot.observed[0].toFixed(2)} … ${plot.observed[1].toFixed(2)}` : ''})</span>
      </h4>
      <LineChart x={plot.x} series={plot.series} height={140} xLabel={set.indicator} yLabel="membership" valueFormat={value2} />
    </div>
  );
}
