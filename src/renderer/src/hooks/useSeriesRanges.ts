import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { parseRange, type DataSeriesInfo, type SymbolInfo } from '../lib/shapes';

/** One row per symbol × timeframe; ranges the listing lacks are read with `POST /data/range` (once). */
export function useSeriesRanges(symbols: SymbolInfo[]): DataSeriesInfo[] {
  const [ranges, setRanges] = useState<Record<string, DataSeriesInfo>>({});
  const rows: DataSeriesInfo[] = [];
  const missing: { symbol: string; timeframe: string }[] = [];
  for (const s of symbols)
    for (const tf of s.timeframes) {
      const known = s.series.find((x) => x.timeframe === tf && x.point_count !== null);
      const key = `${s.symbol}|${tf}`;
      const row = known ?? ranges[key] ?? { symbol: s.symbol, timeframe: tf, start_date: null, end_date: null, point_count: null };
      if (!known && !ranges[key]) missing.push({ symbol: s.symbol, timeframe: tf });
      rows.push(row);
    }
  const missingKey = missing.map((m) => `${m.symbol}|${m.timeframe}`).join(',');

  useEffect(() => {
    if (!missingKey) return;
    let live = true;
    const todo = missingKey.split(',').map((k) => k.split('|') as [string, string]);
    void (async () => {
      // A few at a time: this runs once per listing, never as a poll.
      for (let i = 0; i < todo.length && live; i += 4) {
        const batch = await Promise.all(
          todo.slice(i, i + 4).map(([symbol, timeframe]) =>
            api
              .post('/data/range', { symbol, timeframe })
              .then((b) => parseRange(b, symbol, timeframe))
              .catch(() => ({ symbol, timeframe, start_date: null, end_date: null, point_count: null })),
          ),
        );
        if (live) setRanges((r) => ({ ...r, ...Object.fromEntries(batch.map((x) => [`${x.symbol}|${x.timeframe}`, x])) }));
      }
    })();
    return () => {
      live = false;
    };
  }, [missingKey]);
  return rows;
}
