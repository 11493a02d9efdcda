import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client';
import { parseDataInfoSeries, parseSymbols, type DataSeriesInfo, type SymbolInfo } from '../lib/shapes';
import { useSeriesRanges } from './useSeriesRanges';

export interface DataSeriesState {
  rows: DataSeriesInfo[];
  loaded: boolean;
  error: string | null;
  reload(): void;
}

/**
 * Every stored series with its range and bar count: `GET /data/info` (one request, `data.series`);
 * when a server lists no series there, `GET /symbols` plus `POST /data/range` per pair.
 */
export function useDataSeries(): DataSeriesState {
  const [state, setState] = useState<{ rows: DataSeriesInfo[] | null; symbols: SymbolInfo[]; loaded: boolean; error: string | null }>({ rows: null, symbols: [], loaded: false, error: null });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const rows = parseDataInfoSeries(await api.get('/data/info'));
        if (rows) return live && setState({ rows, symbols: [], loaded: true, error: null });
      } catch {
        // fall through to /symbols
      }
      try {
        const symbols = parseSymbols(await api.get('/symbols'));
        if (live) setState({ rows: null, symbols, loaded: true, error: null });
      } catch (e) {
        if (live) setState({ rows: [], symbols: [], loaded: true, error: (e as Error).message });
      }
    })();
    return () => {
      live = false;
    };
  }, [generation]);

  const fromSymbols = useSeriesRanges(state.rows ? [] : state.symbols);
  return { rows: state.rows ?? fromSymbols, loaded: state.loaded, error: state.error, reload };
}
