import { CandleChart } from '../components/CandleChart';
import { CsvImport } from '../components/CsvImport';
import { EmptyState } from '../components/EmptyState';
import { ErrorNote } from '../components/ErrorNote';
import { GapReport } from '../components/GapReport';
import { ProviderLoad } from '../components/ProviderLoad';
import { SeriesTable } from '../components/SeriesTable';
import { useBars } from '../hooks/useBars';
import { useDataSeries } from '../hooks/useDataSeries';
import { useSession } from '../stores/session';

const CHART_H = 420;

export function DataView() {
  const { rows, loaded, error, reload } = useDataSeries();
  const selected = useSession((s) => s.dataSeries);
  const setSession = useSession((s) => s.set);
  const bars = useBars(selected?.symbol ?? null, selected?.timeframe ?? null);

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
          <SeriesTable rows={rows} selected={selected} onSelect={(r) => setSession({ dataSeries: { symbol: r.symbol, timeframe: r.timeframe } })} />
        </div>
      )}
      {selected && (
        <div className="panel" data-testid="data-chart-panel">
          <h2>
            {selected.symbol} {selected.timeframe} <span className="muted small">wheel: zoom · shift+wheel or ←/→: pan · drag: zoom to range · double-click or 0: reset</span>
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
