import { useState } from 'react';
import { api, ApiError } from '../api/client';
import { serverErrors, TIMEFRAMES } from '../lib/forms';
import { useOperations } from '../stores/operations';
import { useSession } from '../stores/session';
import { Field } from './Field';
import { OperationLive } from './OperationLive';

// The server's providers (infra/providers): default = Dukascopy for FX, IB otherwise.
const SOURCES = ['', 'dukascopy', 'ib', 'synthetic'];

/** `POST /data/acquire/download`: a data_load operation whose progress shows here. */
export function ProviderLoad() {
  const [f, setF] = useState({ symbol: '', timeframe: '1h', mode: 'tail', source: '', start_date: '', end_date: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const opId = useSession((s) => s.dataLoadOpId);
  const setSession = useSession((s) => s.set);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!f.symbol.trim()) return setError('Symbol is required');
    const iso = /^\d{4}-\d{2}-\d{2}$/;
    if ((f.start_date && !iso.test(f.start_date)) || (f.end_date && !iso.test(f.end_date))) return setError('Dates must be yyyy-mm-dd');
    if (f.start_date && f.end_date && f.start_date > f.end_date) return setError('End date must be on or after the start date');
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { symbol: f.symbol.trim().toUpperCase(), timeframe: f.timeframe, mode: f.mode };
      if (f.source) body.source = f.source;
      if (f.start_date) body.start_date = f.start_date;
      if (f.end_date) body.end_date = f.end_date;
      const r = await api.post<{ operation_id?: string; data?: { operation_id?: string } }>('/data/acquire/download', body);
      const id = r.operation_id ?? r.data?.operation_id;
      if (!id) throw new Error('The server answered without an operation id');
      void useOperations.getState().refresh(id);
      setSession({ dataLoadOpId: id });
    } catch (err) {
      setError(err instanceof ApiError ? `${err.status}: ${serverErrors(err.body, err.message).message}` : (err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setF({ ...f, [k]: e.target.value });

  return (
    <form className="panel" onSubmit={submit} data-testid="provider-load">
      <h2>Load from a provider</h2>
      <div className="form-grid">
        <Field label="Symbol" htmlFor="dl-symbol">
          <input id="dl-symbol" value={f.symbol} onChange={set('symbol')} placeholder="EURUSD" data-testid="dl-symbol" />
        </Field>
        <Field label="Timeframe" htmlFor="dl-timeframe">
          <select id="dl-timeframe" value={f.timeframe} onChange={set('timeframe')}>
            {TIMEFRAMES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </Field>
        <Field label="Mode" htmlFor="dl-mode">
          <select id="dl-mode" value={f.mode} onChange={set('mode')}>
            <option>tail</option>
            <option>backfill</option>
            <option>full</option>
          </select>
        </Field>
        <Field label="Source" htmlFor="dl-source">
          <select id="dl-source" value={f.source} onChange={set('source')}>
            {SOURCES.map((s) => (
              <option key={s} value={s}>
                {s || 'default'}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Start date" htmlFor="dl-start">
          <input id="dl-start" type="text" placeholder="yyyy-mm-dd" maxLength={10} value={f.start_date} onChange={set('start_date')} />
        </Field>
        <Field label="End date" htmlFor="dl-end">
          <input id="dl-end" type="text" placeholder="yyyy-mm-dd" maxLength={10} value={f.end_date} onChange={set('end_date')} />
        </Field>
      </div>
      <div className="form-actions">
        <button className="btn primary" type="submit" disabled={busy} data-testid="dl-submit">
          {busy ? 'Starting…' : 'Load'}
        </button>
        <p className="error" role="alert" data-testid="dl-error">
          {error ?? ''}
        </p>
      </div>
      {opId && <OperationLive id={opId} testId="dl-live" />}
    </form>
  );
}
