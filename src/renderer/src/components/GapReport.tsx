import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { fmtInt, fmtTime } from '../lib/format';
import { parseGaps, type Gap } from '../lib/shapes';
import { ErrorNote } from './ErrorNote';

/** `GET /data/{symbol}/{timeframe}/gaps`: the missing stretches of a series. */
export function GapReport({ symbol, timeframe }: { symbol: string; timeframe: string }) {
  const [gaps, setGaps] = useState<Gap[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setGaps(null);
    setError(null);
    api
      .get(`/data/${encodeURIComponent(symbol)}/${encodeURIComponent(timeframe)}/gaps`)
      .then((b) => live && setGaps(parseGaps(b)))
      .catch((e: Error) => live && setError(`Gap report unavailable: ${e.message}`));
    return () => {
      live = false;
    };
  }, [symbol, timeframe]);
  return (
    <div data-testid="gap-report">
      <ErrorNote error={error} />
      {gaps && gaps.length === 0 && <p className="empty">No gaps.</p>}
      {gaps && gaps.length > 0 && (
        <div className="scroll-y">
          <table className="grid">
            <thead>
              <tr>
                <th>From</th>
                <th>To</th>
                <th>Missing bars</th>
                <th>Kind</th>
              </tr>
            </thead>
            <tbody>
              {gaps.map((g, i) => (
                <tr key={i}>
                  <td>{fmtTime(g.start)}</td>
                  <td>{fmtTime(g.end)}</td>
                  <td className="num">{fmtInt(g.missing)}</td>
                  <td>{g.kind ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
