import { useState } from 'react';
import { api, ApiError } from '../api/client';
import { serverErrors, TIMEFRAMES } from '../lib/forms';
import { Field } from './Field';

/** Reads a CSV file in the page and sends its text to `POST /data/import`. */
export function CsvImport({ onImported }: { onImported(symbol: string, timeframe: string): void }) {
  const [symbol, setSymbol] = useState('');
  const [timeframe, setTimeframe] = useState('1d');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!file) return setMessage({ ok: false, text: 'Choose a CSV file' });
    const sym = (symbol.trim() || file.name.replace(/\.[^.]+$/, '').split(/[_\s-]/)[0]).toUpperCase();
    setBusy(true);
    setMessage(null);
    try {
      const csv = await file.text();
      const r = await api.post<{ message?: string; data?: { imported?: number; rejected?: unknown[] } }>('/data/import', { symbol: sym, timeframe, csv });
      const rejected = r.data?.rejected?.length ?? 0;
      setMessage({ ok: true, text: r.message ?? `Imported ${r.data?.imported ?? '?'} bars into ${sym} ${timeframe}${rejected ? ` (${rejected} rows rejected)` : ''}` });
      onImported(sym, timeframe);
    } catch (err) {
      const text = err instanceof ApiError ? `${err.status}: ${serverErrors(err.body, err.message).message}` : (err as Error).message;
      setMessage({ ok: false, text });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel" onSubmit={submit} data-testid="csv-import">
      <h2>Import CSV</h2>
      <div className="form-grid">
        <Field label="File" htmlFor="csv-file">
          <input id="csv-file" type="file" accept=".csv,text/csv,text/plain" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="csv-file" />
        </Field>
        <Field label="Symbol (default: from the file name)" htmlFor="csv-symbol">
          <input id="csv-symbol" value={symbol} onChange={(e) => setSymbol(e.target.value)} placeholder="EURUSD" data-testid="csv-symbol" />
        </Field>
        <Field label="Timeframe" htmlFor="csv-timeframe">
          <select id="csv-timeframe" value={timeframe} onChange={(e) => setTimeframe(e.target.value)} data-testid="csv-timeframe">
            {TIMEFRAMES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </Field>
      </div>
      <div className="form-actions">
        <button className="btn primary" type="submit" disabled={busy} data-testid="csv-submit">
          {busy ? 'Importing…' : 'Import'}
        </button>
        <p className={message?.ok ? 'ok' : 'error'} role="status" data-testid="csv-message">
          {message?.text ?? ''}
        </p>
      </div>
    </form>
  );
}
