import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { candlesFromApi, type CandleColumns } from '../lib/candles';
import { toUnixSeconds } from '../lib/format';
import { parseBars } from '../lib/shapes';

export interface BarsState {
  candles: CandleColumns | null;
  loading: boolean;
  error: string | null;
}

/** `GET /data/{symbol}/{timeframe}?start_date&end_date` as candle columns. */
export function useBars(symbol: string | null, timeframe: string | null, start?: string | null, end?: string | null): BarsState {
  const [state, setState] = useState<BarsState & { key: string }>({ key: '', candles: null, loading: false, error: null });
  const key = symbol && timeframe ? `${symbol}|${timeframe}|${start ?? ''}|${end ?? ''}` : '';
  useEffect(() => {
    if (!key) return;
    let live = true;
    setState({ key, candles: null, loading: true, error: null });
    const q = new URLSearchParams();
    if (start) q.set('start_date', start);
    if (end) q.set('end_date', end);
    const qs = q.toString();
    api
      .get(`/data/${encodeURIComponent(symbol!)}/${encodeURIComponent(timeframe!)}${qs ? `?${qs}` : ''}`)
      .then((body) => {
        const { dates, ohlcv } = parseBars(body);
        if (live) setState({ key, candles: candlesFromApi(dates, ohlcv, toUnixSeconds), loading: false, error: null });
      })
      .catch((e: Error) => live && setState({ key, candles: null, loading: false, error: e.message }));
    return () => {
      live = false;
    };
  }, [key, symbol, timeframe, start, end]);
  return state.key === key ? state : { candles: null, loading: !!key, error: null };
}
