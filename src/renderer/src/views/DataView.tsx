import { useState } from 'react';
import { api, ApiError } from '../api/client';
import { CandleChart } from '../components/CandleChart';
import { CsvImport, routeMissing } from '../components/CsvImport';
import { EmptyState } from '../components/EmptyState';
import { ErrorNote } from '../components/ErrorNote';
import { GapReport } from '../components/GapReport';
import { ProviderLoad } from '../components/ProviderLoad';
import { SeriesTable } from '../components/SeriesTable';
import { useBars } from '../hooks/useBars';
import { useDataSeries } from '../hooks/useDataSeries';
import type { DataSeriesInfo } from '../lib/shapes';
import { useSession } from '../stores/session';

const CHART_H = 420;

export function DataView() {
  const { rows, loaded, error, reload } = useDataSeries();
  const selected = useSession((s) => s.dataSeries);
  const setSession = useSession((s) => s.set);
  const bars = useBars(selected?.symbol ?? null, selected?.timeframe ?? null);
  const [deleteNote, setDeleteNote] = useState<{ ok: boolean; text: string } | null>(null);

  /** Deletes a stored series after a confirmation that names the models trained on it. */
  async function deleteSeries(r: DataSeriesInfo) {
    setDeleteNote(null);
    let users: string[] = [];
    try {
      const m = await api.get<{ models?: { model_id: string; symbols?: string[]; timeframes?: string[]; timeframe?: string }[] }>('/models');
      users = (m.models ?? []).filter((x) => (x.symbols ?? []).includes(r.symbol) && (x.timeframes ?? [x.timeframe]).includes(r.timeframe)).map((x) => x.model_id);
    } catch {
      // the list is a courtesy; the server answers with the referencing models too
    }
    const refs = users.length ? `\n\nModels trained on it (they keep their files): ${users.join(', ')}` : '';
    if (!window.confirm(`Delete the stored ${r.symbol} ${r.timeframe} bars (${r.point_count ?? '?'} bars)?${refs}`)) return;
    try {
      const res = await api.delete<{ data?: { referenced_by_models?: string[] } }>(`/data/${encodeURIComponent(r.symbol)}/${encodeURIComponent(r.timeframe)}`);
      const still = res.data?.referenced_by_models ?? [];
      setDeleteNote({ ok: true, text: `Deleted ${r.symbol} ${r.timeframe}.${still.length ? ` Still referenced by models: ${still.join(', ')}` : ''}` });
      if (selected?.symbol === r.symbol && selected.timeframe === r.timeframe) setSession({ dataSeries: null });
      reload();
    } catch (e) {
      setDeleteNote({ ok: false, text: routeMissing(e) ? 'This server cannot delete series yet (DELETE /data/{symbol}/{timeframe} answered 404).' : e instanceof ApiError ? `${e.status}: ${e.message}` : (e as Error).message });
    }
  }

  return (
    <section className="view" data-testid="view-data">
      <div className="view-head">
        <h1>Data</h1>
        <button className="btn small" onClick={reload} data-testid="data-refresh">
          Refresh
        </button>
      </div>
      <ErrorNote error={error && `Could not list the stored data (${error})`} />
      {loaded && rows.length === 0 && (
        <EmptyState testId="data-empty">No data yet — import a CSV or load sample data.</EmptyState>
      )}
      {rows.length > 0 && (
        <div className="panel">
          <SeriesTable rows={rows} selected={selected} onSelect={(r) => setSession({ dataSeries: { symbol: r.symbol, timeframe: r.timeframe } })} onDelete={(r) => void deleteSeries(r)} />
          {deleteNote && (
            <p className={deleteNote.ok ? 'ok' : 'error'} role="status" data-testid="series-delete-note">
              {deleteNote.text}
            </p>
          )}
        </div>
      )}
      {selected && (
        <div className="panel" data-testid="data-chart-panel">
          <h2>
            {selected.symbol} {selected.timeframe}{' '}
            {rows.find((r) => r.symbol === selected.symbol && r.timeframe === selected.timeframe)?.synthetic && (
              <span className="tag warn" data-testid="chart-synthetic" title="Generated random-walk bars, not market data">
                SYNTHETIC
              </span>
            )}{' '}
            <span className="muted small">wheel: zoom · shift+wheel or ←/→: pan · drag or [ … ]: zoom to range · shift+←/→: crosshair · double-click or 0: reset</span>
          </h2>
          <ErrorNote error={bars.error} />
          <div className="chart-slot" style={{ minHeight: CHART_H }}>
            {bars.candles && bars.candles.time.length > 0 ? (
              <CandleChart candles={bars.candles} height={CHART_H} testId="data-candles" />
            ) : (
              <div className="chart-placeholder" style={{ height: CHART_H }}>
                {bars.loading ? 'Loading bars…' : 'No bars.'}
              </div>
            )}
          </div>
          <h3>Gaps</h3>
          <GapReport symbol={selected.symbol} timeframe={selected.timeframe} />
        </div>
      )}
      <CsvImport
        onImported={(symbol, timeframe) => {
          reload();
          setSession({ dataSeries: { symbol, timeframe } });
        }}
      />
      <ProviderLoad />
    </section>
  );
}
