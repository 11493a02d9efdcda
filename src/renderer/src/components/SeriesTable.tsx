import { fmtInt, fmtTime } from '../lib/format';
import type { DataSeriesInfo } from '../lib/shapes';

/** Symbols × timeframes with their date range and bar count; choosing a row shows its chart. */
export function SeriesTable({ rows, selected, onSelect, onDelete }: { rows: DataSeriesInfo[]; selected: { symbol: string; timeframe: string } | null; onSelect(r: DataSeriesInfo): void; onDelete?(r: DataSeriesInfo): void }) {
  return (
    <div className="scroll-y">
      <table className="grid" data-testid="series-table">
        <thead>
          <tr>
            <th>Symbol</th>
            <th>Timeframe</th>
            <th>From</th>
            <th>To</th>
            <th>Bars</th>
            {onDelete && (
              <th>
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const on = selected?.symbol === r.symbol && selected.timeframe === r.timeframe;
            return (
              <tr
                key={`${r.symbol}|${r.timeframe}`}
                className={on ? 'selectable selected' : 'selectable'}
                tabIndex={0}
                onClick={() => onSelect(r)}
                onKeyDown={(e) => e.key === 'Enter' && onSelect(r)}
                data-testid={`series-${r.symbol}-${r.timeframe}`}
              >
                <td>
                  {r.symbol}{' '}
                  {r.synthetic && (
                    <span className="tag warn small" title="Generated random-walk bars, not market data: runs on them say nothing about a real market" data-testid="series-synthetic">
                      synthetic
                    </span>
                  )}
                  {r.source === 'sample' && (
                    <span className="tag small" title="Real bars bundled with the app (data/samples)">
                      sample
                    </span>
                  )}
                </td>
                <td>{r.timeframe}</td>
                <td>{fmtTime(r.start_date)}</td>
                <td>{fmtTime(r.end_date)}</td>
                <td className="num">{fmtInt(r.point_count)}</td>
                {onDelete && (
                  <td className="actions">
                    <button
                      className="btn small danger"
                      onClick={(e) => {
                        e.stopPropagation();
                        onDelete(r);
                      }}
                      aria-label={`Delete ${r.symbol} ${r.timeframe}`}
                      data-testid="series-delete"
                    >
                      Delete
                    </button>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
