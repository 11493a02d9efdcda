// The model registry per strategy: every trained version with its data range, settings, metrics,
// best epoch, the strategy-text hash, notes (saved next to the model), identical re-runs marked,
// backtest and delete.
import { useCallback, useEffect, useState } from 'react';
import { metricLabel, metricTooltip } from '../../../shared/metrics-catalog';
import { api } from '../api/client';
import { EmptyState } from '../components/EmptyState';
import { ErrorNote } from '../components/ErrorNote';
import { fmtMetric, fmtTime } from '../lib/format';
import { useApp } from '../stores/app';
import { useCatalog } from '../stores/catalog';
import { useSession } from '../stores/session';

export interface ModelRow {
  model_id: string;
  strategy_name: string;
  symbols: string[];
  timeframe: string;
  timeframes?: string[];
  version: number;
  model_path: string;
  created_at: string | null;
  best_epoch: number | null;
  epochs_trained: number | null;
  test_accuracy: number | null;
  validation_accuracy: number | null;
  data_range: { start_date: string | null; end_date: string | null; first_row_time: string | null; last_row_time: string | null } | null;
  settings: Record<string, unknown> | null;
  model: Record<string, unknown> | null;
  strategy_hash: string | null;
  data_hash: string | null;
  seed: number | null;
  same_as: string | null;
  notes: string;
}

const day = (v: string | null | undefined) => (v ? v.slice(0, 10) : '…');

function settingsText(s: Record<string, unknown> | null, model: Record<string, unknown> | null): string {
  if (!s) return '—';
  const es = s.early_stopping as { patience?: number } | null | undefined;
  const labels = s.labels as { source?: string } | undefined;
  return [
    model?.type ? String(model.type) : null,
    s.epochs !== undefined ? `epochs ≤ ${String(s.epochs)}` : null,
    s.batch_size !== undefined ? `batch ${String(s.batch_size)}` : null,
    s.learning_rate !== undefined ? `lr ${String(s.learning_rate)}` : null,
    es ? `early stop (patience ${es.patience ?? '?'})` : null,
    labels?.source ? `labels ${labels.source}` : null,
    s.seed !== undefined ? `seed ${String(s.seed)}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

export function ModelsView() {
  const sessionName = useSession((s) => s.strategyName);
  const [strategy, setStrategy] = useState<string>(sessionName ?? '');
  const [rows, setRows] = useState<ModelRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadStrategies = useCatalog((s) => s.loadStrategies);
  const strategies = useCatalog((s) => s.strategies.items);
  useEffect(() => void loadStrategies(), [loadStrategies]);

  const load = useCallback(() => {
    setError(null);
    const q = strategy ? `?strategy=${encodeURIComponent(strategy)}` : '';
    api
      .get<{ models?: ModelRow[] }>(`/models${q}`)
      .then((r) => setRows(r.models ?? []))
      .catch((e: Error) => (setRows([]), setError(`GET /models: ${e.message}`)));
  }, [strategy]);
  useEffect(load, [load]);

  function backtest(m: ModelRow) {
    const prev = useSession.getState().backtestForm ?? {};
    useSession.getState().set({
      backtestForm: { ...prev, strategy_name: m.strategy_name, model_path: m.model_path, symbol: m.symbols[0] ?? prev.symbol ?? '', timeframe: m.timeframe },
      backtestOpId: null,
    });
    useApp.getState().setView('backtests');
  }

  async function remove(m: ModelRow) {
    if (!window.confirm(`Delete model ${m.model_id}? Its files are removed; backtests that used it keep their results.`)) return;
    try {
      await api.delete(`/models/${m.strategy_name}/${m.timeframe}_v${m.version}`);
      void useCatalog.getState().loadModels(true);
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section className="view" data-testid="view-models">
      <div className="view-head">
        <h1>Models</h1>
        <label className="muted">
          Strategy{' '}
          <select id="models-strategy" value={strategy} onChange={(e) => setStrategy(e.target.value)} data-testid="models-strategy">
            <option value="">All strategies</option>
            {strategies.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <button className="btn small" onClick={load} data-testid="models-refresh">
          Refresh
        </button>
      </div>
      <ErrorNote error={error} />
      {rows && rows.length === 0 && !error && <EmptyState testId="models-empty">No trained models{strategy ? ` for ${strategy}` : ''} yet — train one from the Strategies or Training view.</EmptyState>}
      <div className="model-cards" data-testid="models-list">
        {(rows ?? []).map((m) => (
          <ModelCard key={m.model_id} m={m} onBacktest={() => backtest(m)} onDelete={() => void remove(m)} onSaved={load} />
        ))}
      </div>
    </section>
  );
}

function ModelCard({ m, onBacktest, onDelete, onSaved }: { m: ModelRow; onBacktest(): void; onDelete(): void; onSaved(): void }) {
  const [notes, setNotes] = useState(m.notes);
  const [state, setState] = useState<string | null>(null);
  useEffect(() => setNotes(m.notes), [m.notes]);
  async function saveNotes() {
    setState('Saving…');
    try {
      await api.request('PUT', `/models/${m.strategy_name}/${m.timeframe}_v${m.version}/notes`, { notes });
      setState('Saved');
      onSaved();
    } catch (e) {
      setState(`Not saved: ${(e as Error).message}`);
    }
  }
  const metric = (key: string, v: unknown) => (
    <span title={metricTooltip(key)}>
      {metricLabel(key)} <strong>{fmtMetric(key, v)}</strong>
    </span>
  );
  return (
    <article className="panel model-card" data-testid={`model-${m.model_id}`} data-model-id={m.model_id}>
      <header className="detail-head wrap">
        <h2>
          {m.strategy_name} <span className="mono">{m.timeframe}_v{m.version}</span>
        </h2>
        {m.same_as && (
          <span className="tag warn small" data-testid="model-same-as" title="Same strategy text, same data and same seed: the result should be identical">
            identical re-run of {m.same_as}
          </span>
        )}
        <div className="toolbar">
          <button className="btn small primary" onClick={onBacktest} data-testid="model-backtest">
            Backtest…
          </button>
          <button className="btn small danger" onClick={onDelete} data-testid="model-delete">
            Delete
          </button>
        </div>
      </header>
      <dl className="facts">
        <dt>Trained</dt>
        <dd>{fmtTime(m.created_at)}</dd>
        <dt>Data</dt>
        <dd data-testid="model-data">
          {m.symbols.join(', ')} {(m.timeframes ?? [m.timeframe]).join(', ')} · {day(m.data_range?.start_date ?? m.data_range?.first_row_time)} → {day(m.data_range?.end_date ?? m.data_range?.last_row_time)}
        </dd>
        <dt>Settings</dt>
        <dd data-testid="model-settings">{settingsText(m.settings, m.model)}</dd>
        <dt>Result</dt>
        <dd className="metrics-line">
          {metric('best_epoch', m.best_epoch)} <span className="muted">of {m.epochs_trained ?? '?'}</span> · {metric('best_val_accuracy', m.validation_accuracy)} · {metric('test_accuracy', m.test_accuracy)}
        </dd>
        <dt>Strategy hash</dt>
        <dd className="mono small" title={`Strategy text sha256 ${m.strategy_hash ?? ''}\nData sha256 ${m.data_hash ?? ''}`}>
          {m.strategy_hash ? m.strategy_hash.slice(0, 12) : '—'} <span className="muted">data {m.data_hash ? m.data_hash.slice(0, 12) : '—'}</span>
        </dd>
      </dl>
      <label className="notes">
        Notes
        <textarea value={notes} onChange={(e) => setNotes(e.target.value)} rows={2} data-testid="model-notes" />
      </label>
      <div className="form-actions">
        <button className="btn small" onClick={() => void saveNotes()} disabled={notes === m.notes} data-testid="model-notes-save">
          Save notes
        </button>
        {state && <span className="muted small">{state}</span>}
      </div>
    </article>
  );
}
