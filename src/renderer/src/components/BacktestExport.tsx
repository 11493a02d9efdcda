import { useState } from 'react';
import { api } from '../api/client';
import { ErrorNote } from './ErrorNote';

const FILES = [
  { key: 'report', label: 'Report (HTML)', path: 'report', type: 'text/html', name: (id: string) => `${id}_report.html` },
  { key: 'metrics', label: 'Metrics (CSV)', path: 'report?format=csv', type: 'text/csv', name: (id: string) => `${id}_report.csv` },
  { key: 'trades', label: 'Trades (CSV)', path: 'trades?format=csv', type: 'text/csv', name: (id: string) => `${id}_trades.csv` },
  { key: 'equity', label: 'Equity (CSV)', path: 'equity_curve?format=csv', type: 'text/csv', name: (id: string) => `${id}_equity.csv` },
] as const;

/** Saves text as a file through the browser's download (works in Chromium and in Electron). */
function download(text: string, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Export a finished backtest: the self-contained HTML report, its numbers, and the trades / equity curve as CSV.
 * Fetched through the app's one API client (HTTP in a browser, IPC in Electron), saved as a download.
 */
export function BacktestExport({ id }: { id: string }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const save = async (f: (typeof FILES)[number]) => {
    setBusy(f.key);
    setError(null);
    try {
      const body = await api.get<unknown>(`/backtests/${encodeURIComponent(id)}/${f.path}`);
      download(typeof body === 'string' ? body : JSON.stringify(body), f.name(id), f.type);
    } catch (e) {
      setError(`Export ${f.label}: ${(e as Error).message}`);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="export-bar" data-testid="bt-export">
      <span className="label">Export</span>
      {FILES.map((f) => (
        <button key={f.key} className="btn small" data-testid={`bt-export-${f.key}`} disabled={busy !== null} onClick={() => void save(f)}>
          {busy === f.key ? 'Saving…' : f.label}
        </button>
      ))}
      <ErrorNote error={error} testId="bt-export-error" />
    </div>
  );
}
