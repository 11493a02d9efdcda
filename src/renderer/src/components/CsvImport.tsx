// Safe CSV import: preview first (columns, detected timestamp format and timezone, the timeframe the
// timestamps imply, first rows, rejected rows with line numbers), then import. The server refuses a
// file with rejected rows unless the user confirms keeping the valid ones, and a timeframe that does
// not match the timestamps (with the evidence) — both at once, and the choices made stay made, so a
// retry never trades one refusal for the other (issue 27). Repeated timestamps are reported. A server
// without the preview route (404) still imports; the form says what it cannot show.
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
  duplicates_note?: string | null;
}
/** Why the server stored nothing: each problem in words, the rows it rejected, the timeframe the timestamps show. */
interface Refusal {
  problems: { kind: string; message: string }[];
  rejected: Rejected[];
  validCount: number | null;
  inferred: string | null;
}

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
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  // Once confirmed, keeping only the valid rows stays chosen for this file (until it changes).
  const [keepValid, setKeepValid] = useState(false);
  const [acceptedRejected, setAcceptedRejected] = useState<Rejected[]>([]);

  const sym = () => (symbol.trim() || (file ? file.name.replace(/\.[^.]+$/, '').split(/[_\s-]/)[0] : '')).toUpperCase();
  const body = async (extra: Record<string, unknown> = {}) => ({ symbol: sym(), timeframe, csv: await file!.text(), ...(timezone.trim() ? { timezone: timezone.trim() } : {}), ...extra });
  const reset = () => {
    setPreview(null);
    setPreviewNote(null);
    setRefusal(null);
    setMessage(null);
    setAcceptedRejected([]);
    setKeepValid(false);
  };

  async function runPreview() {
    if (!file) return setMessage({ ok: false, text: 'Choose a CSV file' });
    setBusy(true);
    reset();
    try {
      const r = await api.post<{ data?: Preview }>('/data/import/preview', await body());
      setPreview(r.data ?? null);
    } catch (e) {
      if (routeMissing(e)) setPreviewNote('This server has no import preview: Import still checks every row.');
      else setMessage({ ok: false, text: e instanceof ApiError ? serverErrors(e.body, e.message).message : (e as Error).message });
    } finally {
      setBusy(false);
    }
  }

  /** Imports with the choices made so far; `fix` applies more (keep the valid rows, another timeframe) and keeps them. */
  async function runImport(fix: { keepValid?: boolean; timeframe?: string } = {}) {
    if (!file) return setMessage({ ok: false, text: 'Choose a CSV file' });
    const keep = fix.keepValid ?? keepValid;
    const tf = fix.timeframe ?? timeframe;
    if (fix.keepValid !== undefined) setKeepValid(fix.keepValid);
    if (fix.timeframe) setTimeframe(fix.timeframe);
    setBusy(true);
    setMessage(null);
    setRefusal(null);
    try {
      const b = await body(keep ? { keep_valid_rows: true } : {});
      const r = await api.post<{ data?: { imported?: number; rejected?: Rejected[]; duplicates_note?: string | null } }>('/data/import', { ...b, timeframe: tf });
      const rejected = r.data?.rejected ?? [];
      setAcceptedRejected(rejected);
      const dup = r.data?.duplicates_note ? ` Note: ${r.data.duplicates_note}.` : '';
      setMessage({ ok: true, text: `Imported ${r.data?.imported ?? '?'} bars into ${b.symbol} ${tf}${rejected.length ? ` (${rejected.length} invalid ${rejected.length === 1 ? 'row' : 'rows'} left out)` : ''}.${dup}` });
      onImported(b.symbol, tf);
    } catch (err) {
      const eb = (err instanceof ApiError && err.status === 400 ? err.body : null) as { problems?: { kind: string; message: string }[]; rejected?: Rejected[]; valid_count?: number; inferred_timeframe?: string } | null;
      if (eb && Array.isArray(eb.problems) && eb.problems.length) {
        setRefusal({ problems: eb.problems, rejected: eb.rejected ?? [], validCount: eb.valid_count ?? null, inferred: eb.inferred_timeframe ?? null });
        setMessage({ ok: false, text: 'Nothing was stored.' });
      } else setMessage({ ok: false, text: err instanceof ApiError ? serverErrors(err.body, err.message).message : (err as Error).message });
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
          {preview.duplicates_note && (
            <p className="note small" data-testid="csv-preview-duplicates">
              {preview.duplicates_note}.
            </p>
          )}
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
      {refusal && <RefusalPanel refusal={refusal} timeframe={timeframe} keepValid={keepValid} busy={busy} onFix={(fix) => void runImport(fix)} />}
      {acceptedRejected.length > 0 && <RejectedList rows={acceptedRejected} testId="csv-imported-rejected" />}
    </form>
  );
}

/**
 * Every reason the import was refused, and one way to fix all of them: keep only the valid rows and/or
 * import as the timeframe the timestamps show. A choice made stays made for the next try.
 */
function RefusalPanel({ refusal, timeframe, keepValid, busy, onFix }: { refusal: Refusal; timeframe: string; keepValid: boolean; busy: boolean; onFix(fix: { keepValid?: boolean; timeframe?: string }): void }) {
  const rows = refusal.problems.some((p) => p.kind === 'rejected_rows') && refusal.validCount !== null && refusal.validCount > 0;
  const tf = refusal.problems.some((p) => p.kind === 'timeframe') ? refusal.inferred : null;
  const fix = { ...(rows ? { keepValid: true } : {}), ...(tf ? { timeframe: tf } : {}) };
  const label = [rows ? `Import the ${refusal.validCount} valid rows` : 'Import', tf ? `as ${tf}` : null].filter(Boolean).join(' ');
  return (
    <div className="refusal" data-testid="csv-refusal">
      <p className="error">Nothing was stored:</p>
      <ul className="warnings" data-testid="csv-refusal-problems">
        {refusal.problems.map((p) => (
          <li key={p.kind} data-kind={p.kind}>
            {p.message}
          </li>
        ))}
      </ul>
      {refusal.rejected.length > 0 && <RejectedList rows={refusal.rejected} testId="csv-rejected" />}
      {(rows || tf) && (
        <button className="btn small primary" type="button" onClick={() => onFix(fix)} disabled={busy} data-testid="csv-fix">
          {label}
        </button>
      )}
      {keepValid && !rows && <p className="muted small">Keeping only the valid rows (chosen before).</p>}
      {tf === null && refusal.inferred && refusal.inferred !== timeframe && <p className="muted small">The timestamps look like {refusal.inferred} bars.</p>}
    </div>
  );
}
