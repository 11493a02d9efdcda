// Safe CSV import: preview first (columns, detected timestamp format and timezone, the timeframe the
// timestamps imply, first rows, rejected rows with line numbers), then import. The server refuses a
// file with rejected rows unless the user confirms keeping the valid ones, and a timeframe that does
// not match the timestamps (with the evidence). A server without the preview route (404) still
// imports; the form says what it cannot show.
import { useState } from 'react';
import { api, ApiError } from '../api/client';
import { serverErrors, TIMEFRAMES } from '../lib/forms';
import { Field } from './Field';

interface Rejected {
  line: number;
  reason: string;
}
interface Preview {
  columns: string[];
  detected: { timestamp_format?: string | null; timezone?: string | null };
  inferred_timeframe: string | null;
  rows: Record<string, unknown>[];
  row_count: number;
  valid_count: number;
  rejected: Rejected[];
}
type Refusal = { kind: 'rejected'; detail: string; rejected: Rejected[] } | { kind: 'timeframe'; detail: string; inferred: string } | null;

const ZONES = ['UTC', 'America/New_York', 'America/Chicago', 'Europe/London', 'Europe/Berlin', 'Europe/Zurich', 'Asia/Tokyo', 'Asia/Hong_Kong', 'Australia/Sydney'];

/** A 404 from the router itself (route not there yet), not a 404 about the request's content. */
export function routeMissing(e: unknown): boolean {
  if (!(e instanceof ApiError) || e.status !== 404) return false;
  const d = (e.body as { detail?: unknown } | null)?.detail;
  return typeof d !== 'string' || d.startsWith('Not found: ') || /route/i.test(d);
}

function RejectedList({ rows, testId }: { rows: Rejected[]; testId: string }) {
  if (rows.length === 0) return null;
  return (
    <div className="rejected" data-testid={testId}>
      <strong>
        {rows.length} row{rows.length === 1 ? '' : 's'} rejected
      </strong>
      <ul className="warnings">
        {rows.slice(0, 50).map((r, i) => (
          <li key={i}>
            line {r.line}: {r.reason}
          </li>
        ))}
        {rows.length > 50 && <li>… and {rows.length - 50} more</li>}
      </ul>
    </div>
  );
}

export function CsvImport({ onImported }: { onImported(symbol: string, timeframe: string): void }) {
  const [symbol, setSymbol] = useState('');
  const [timeframe, setTimeframe] = useState('1d');
  const [timezone, setTimezone] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewNote, setPreviewNote] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<Refusal>(null);
  const [acceptedRejected, setAcceptedRejected] = useState<Rejected[]>([]);

  const sym = () => (symbol.trim() || (file ? file.name.replace(/\.[^.]+$/, '').split(/[_\s-]/)[0] : '')).toUpperCase();
  const body = async (extra: Record<string, unknown> = {}) => ({ symbol: sym(), timeframe, csv: await file!.text(), ...(timezone.trim() ? { timezone: timezone.trim() } : {}), ...extra });
  const reset = () => {
    setPreview(null);
    setPreviewNote(null);
    setRefusal(null);
    setMessage(null);
    setAcceptedRejected([]);
  };

  async function runPreview() {
    if (!file) return setMessage({ ok: false, text: 'Choose a CSV file' });
    setBusy(true);
    reset();
    try {
      const r = await api.post<{ data?: Preview }>('/data/import/preview', await body());
      setPreview(r.data ?? null);
    } catch (e) {
      if (routeMissing(e)) setPreviewNote('This server has no import preview (POST /data/import/preview answered 404): Import still checks every row.');
      else setMessage({ ok: false, text: e instanceof ApiError ? `${e.status}: ${serverErrors(e.body, e.message).message}` : (e as Error).message });
    } finally {
      setBusy(false);
    }
  }

  async function runImport(keepValid = false, tfOverride?: string) {
    if (!file) return setMessage({ ok: false, text: 'Choose a CSV file' });
    const tf = tfOverride ?? timeframe;
    if (tfOverride) setTimeframe(tfOverride);
    setBusy(true);
    setMessage(null);
    setRefusal(null);
    try {
      const b = await body(keepValid ? { keep_valid_rows: true } : {});
      const r = await api.post<{ message?: string; data?: { imported?: number; rejected?: Rejected[] } }>('/data/import', { ...b, timeframe: tf });
      const rejected = r.data?.rejected ?? [];
      setAcceptedRejected(rejected);
      setMessage({ ok: true, text: r.message ?? `Imported ${r.data?.imported ?? '?'} bars into ${b.symbol} ${tf}${rejected.length ? ` (${rejected.length} rows rejected)` : ''}` });
      onImported(b.symbol, tf);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        const eb = (err.body ?? {}) as { detail?: string; rejected?: Rejected[]; inferred_timeframe?: string };
        const detail = serverErrors(err.body, err.message).message;
        if (typeof eb.inferred_timeframe === 'string') setRefusal({ kind: 'timeframe', detail, inferred: eb.inferred_timeframe });
        else if (Array.isArray(eb.rejected) && eb.rejected.length) setRefusal({ kind: 'rejected', detail, rejected: eb.rejected });
        setMessage({ ok: false, text: `400: ${detail}` });
      } else setMessage({ ok: false, text: err instanceof ApiError ? `${err.status}: ${serverErrors(err.body, err.message).message}` : (err as Error).message });
    } finally {
      setBusy(false);
    }
  }

  const mismatch = preview?.inferred_timeframe && preview.inferred_timeframe !== timeframe;
  return (
    <form
      className="panel"
      onSubmit={(e) => {
        e.preventDefault();
        void runImport();
      }}
      data-testid="csv-import"
    >
      <h2>Import CSV</h2>
      <div className="form-grid">
        <Field label="File" htmlFor="csv-file">
          <input
            id="csv-file"
            type="file"
            accept=".csv,text/csv,text/plain"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              reset();
            }}
            data-testid="csv-file"
          />
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
        <Field label="Timezone of the timestamps (default UTC)" htmlFor="csv-timezone">
          <input id="csv-timezone" list="csv-timezones" value={timezone} onChange={(e) => setTimezone(e.target.value)} placeholder="UTC" data-testid="csv-timezone" />
          <datalist id="csv-timezones">
            {ZONES.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </Field>
      </div>
      <div className="form-actions">
        <button className="btn" type="button" disabled={busy || !file} onClick={() => void runPreview()} data-testid="csv-preview">
          Preview
        </button>
        <button className="btn primary" type="submit" disabled={busy} data-testid="csv-submit">
          {busy ? 'Working…' : 'Import'}
        </button>
        <p className={message?.ok ? 'ok' : 'error'} role="status" data-testid="csv-message">
          {message?.text ?? ''}
        </p>
      </div>
      {previewNote && (
        <p className="muted small" data-testid="csv-preview-note">
          {previewNote}
        </p>
      )}
      {preview && (
        <div className="csv-preview" data-testid="csv-preview-result">
          <p className="small">
            {preview.row_count} rows, {preview.valid_count} valid · columns <span className="mono">{preview.columns.join(', ')}</span> · timestamps <span className="mono">{preview.detected.timestamp_format ?? '?'}</span>
            {preview.detected.timezone ? ` (${preview.detected.timezone})` : ''} · looks like <strong data-testid="csv-inferred-timeframe">{preview.inferred_timeframe ?? '?'}</strong> bars
          </p>
          {mismatch && (
            <p className="error" data-testid="csv-timeframe-mismatch">
              The timestamps are {preview.inferred_timeframe} apart but {timeframe} is chosen: the import will be refused.{' '}
              <button className="btn small" type="button" onClick={() => setTimeframe(preview.inferred_timeframe!)}>
                Use {preview.inferred_timeframe}
              </button>
            </p>
          )}
          <RejectedList rows={preview.rejected} testId="csv-preview-rejected" />
          {preview.rows.length > 0 && (
            <div className="table-wrap">
              <table className="grid small" data-testid="csv-preview-rows">
                <thead>
                  <tr>
                    {Object.keys(preview.rows[0]).map((k) => (
                      <th key={k}>{k}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {preview.rows.map((r, i) => (
                    <tr key={i}>
                      {Object.keys(preview.rows[0]).map((k) => (
                        <td key={k}>{String(r[k] ?? '')}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
      {refusal?.kind === 'rejected' && (
        <div data-testid="csv-refused-rows">
          <p className="error">Nothing was stored: some rows are invalid.</p>
          <RejectedList rows={refusal.rejected} testId="csv-rejected" />
          <button className="btn small" type="button" onClick={() => void runImport(true)} disabled={busy} data-testid="csv-keep-valid">
            Import only the valid rows
          </button>
        </div>
      )}
      {refusal?.kind === 'timeframe' && (
        <div data-testid="csv-refused-timeframe">
          <p className="error">
            Nothing was stored: the timestamps look like <strong>{refusal.inferred}</strong> bars, not {timeframe}.
          </p>
          <button className="btn small" type="button" onClick={() => void runImport(false, refusal.inferred)} disabled={busy} data-testid="csv-use-inferred">
            Import as {refusal.inferred}
          </button>
        </div>
      )}
      {acceptedRejected.length > 0 && <RejectedList rows={acceptedRejected} testId="csv-imported-rejected" />}
    </form>
  );
}
