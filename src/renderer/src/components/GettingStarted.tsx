// First launch (issue 27: an empty list with no way forward): the real bars and sample strategies that
// ship with the app, and a first "train → backtest" path in two clicks on them. Shown on the
// Operations view until a backtest exists or the user hides it.
import { useEffect, useState } from 'react';
import { runFacts } from '../../../shared/run-facts';
import { api, ApiError } from '../api/client';
import { useDataSeries } from '../hooks/useDataSeries';
import { serverErrors } from '../lib/forms';
import { fmtInt } from '../lib/format';
import { useApp } from '../stores/app';
import { useCatalog } from '../stores/catalog';
import { useOperations, type OperationView } from '../stores/operations';
import { useSession } from '../stores/session';

const HIDDEN_KEY = 'ktrdr.getting-started.hidden';

/** The first path: the smallest sample strategy on bundled EURUSD hourly bars, trained on two years, tested on the next. */
export const FIRST_RUN = {
  strategy: 'minimal',
  symbol: 'EURUSD',
  timeframe: '1h',
  train: { start_date: '2015-01-01', end_date: '2016-12-31' },
  test: { start_date: '2017-01-01', end_date: '2017-12-31' },
} as const;

const isFirstRun = (o: OperationView) => runFacts(o).strategy === FIRST_RUN.strategy;

export function GettingStarted({ ops }: { ops: OperationView[] }) {
  const [hidden, setHidden] = useState(() => localStorage.getItem(HIDDEN_KEY) === '1');
  const data = useDataSeries();
  const strategies = useCatalog((s) => s.strategies);
  const loadStrategies = useCatalog((s) => s.loadStrategies);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void loadStrategies(), [loadStrategies]);

  if (hidden || ops.some((o) => o.operation_type === 'backtesting')) return null;
  const samples = data.rows.filter((r) => r.source === 'sample');
  const bundled = strategies.items.filter((s) => s.source === 'bundled');
  const hasBars = data.rows.some((r) => r.symbol === FIRST_RUN.symbol && r.timeframe === FIRST_RUN.timeframe);
  const trainings = ops.filter((o) => o.operation_type === 'training' && isFirstRun(o));
  const trained = trainings.find((o) => o.status === 'completed');
  const training = trainings.find((o) => o.status === 'running' || o.status === 'pending');

  async function start(path: string, body: Record<string, unknown>, open: (id: string) => void) {
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ operation_id?: string; task_id?: string }>(path, body);
      const id = r.operation_id ?? r.task_id;
      if (!id) throw new Error('The server answered without an operation id');
      void useOperations.getState().refresh(id);
      open(id);
    } catch (e) {
      setError(e instanceof ApiError ? serverErrors(e.body, e.message).message : (e as Error).message);
    } finally {
      setBusy(false);
    }
  }
  const train = () =>
    start('/trainings/start', { strategy_name: FIRST_RUN.strategy, symbols: [FIRST_RUN.symbol], timeframes: [FIRST_RUN.timeframe], ...FIRST_RUN.train }, (id) => {
      useSession.getState().set({ trainingOpId: id });
      useApp.getState().setView('training');
    });
  const backtest = () =>
    start('/backtests/start', { strategy_name: FIRST_RUN.strategy, symbol: FIRST_RUN.symbol, timeframe: FIRST_RUN.timeframe, ...FIRST_RUN.test }, (id) => {
      useSession.getState().set({ backtestOpId: id });
      useApp.getState().setView('backtests');
    });
  const openStrategy = (name: string) => {
    useSession.getState().set({ strategyName: name });
    useApp.getState().setView('strategies');
  };

  return (
    <section className="panel getting-started" data-testid="getting-started" aria-labelledby="gs-title">
      <div className="detail-head">
        <h2 id="gs-title">Getting started</h2>
        <button
          className="btn small close"
          onClick={() => {
            localStorage.setItem(HIDDEN_KEY, '1');
            setHidden(true);
          }}
          aria-label="Hide getting started"
          data-testid="getting-started-hide"
        >
          Hide
        </button>
      </div>
      <ol className="first-run" data-testid="first-run">
        <li data-done={trained ? 'true' : 'false'}>
          <button className="btn primary" onClick={() => void train()} disabled={busy || !hasBars || !!training} data-testid="first-train">
            {training ? 'Training…' : trained ? 'Train again' : 'Train'} {FIRST_RUN.strategy}
          </button>{' '}
          on {FIRST_RUN.symbol} {FIRST_RUN.timeframe} bars, {FIRST_RUN.train.start_date} → {FIRST_RUN.train.end_date} (a small network, about a minute)
          {trained && <span className="ok"> ✓ trained</span>}
        </li>
        <li>
          <button className="btn primary" onClick={() => void backtest()} disabled={busy || !trained} data-testid="first-backtest" title={trained ? undefined : 'Train it first'}>
            Backtest it
          </button>{' '}
          out of sample on {FIRST_RUN.test.start_date} → {FIRST_RUN.test.end_date}: equity, trades, the tearsheet and whether it beats random entries
        </li>
      </ol>
      {!hasBars && data.loaded && (
        <p className="note">
          No {FIRST_RUN.symbol} {FIRST_RUN.timeframe} bars are stored (the server was started without the samples): load or import some in the Data view first.
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="first-run-error">
          {error}
        </p>
      )}
      <div className="charts-2">
        <div>
          <h3>Bundled data ({samples.length} series)</h3>
          <ul className="plain" data-testid="gs-data">
            {samples.map((r) => (
              <li key={`${r.symbol}-${r.timeframe}`}>
                <strong>
                  {r.symbol} {r.timeframe}
                </strong>{' '}
                <span className="muted">
                  {(r.start_date ?? '').slice(0, 10)} → {(r.end_date ?? '').slice(0, 10)} · {fmtInt(r.point_count)} bars
                </span>
              </li>
            ))}
            {!samples.length && <li className="muted">{data.loaded ? 'None (started without the samples).' : 'Loading…'}</li>}
          </ul>
        </div>
        <div>
          <h3>Sample strategies ({bundled.length})</h3>
          <ul className="plain" data-testid="gs-strategies">
            {bundled.map((s) => (
              <li key={s.name}>
                <button className="btn small" onClick={() => openStrategy(s.name)} data-testid={`gs-strategy-${s.name}`}>
                  {s.name}
                </button>{' '}
                <span className="muted small">{s.description ?? ''}</span>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}
