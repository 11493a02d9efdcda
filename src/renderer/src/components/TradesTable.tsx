import { useMemo, useState } from 'react';
import { sortTrades, type TradeSortKey } from '../lib/backtest';
import { fmtMoney, fmtNumber, fmtTime } from '../lib/format';
import type { Trade } from '../lib/shapes';

const COLUMNS: { key: TradeSortKey; label: string }[] = [
  { key: 'id', label: '#' },
  { key: 'side', label: 'Side' },
  { key: 'entry_time', label: 'Entry' },
  { key: 'entry_price', label: 'Entry price' },
  { key: 'exit_time', label: 'Exit' },
  { key: 'exit_price', label: 'Exit price' },
  { key: 'quantity', label: 'Qty' },
  { key: 'pnl', label: 'Net PnL' },
  { key: 'pnl_percent', label: 'PnL %' },
];

const NUMERIC = new Set<TradeSortKey>(['id', 'entry_price', 'exit_price', 'quantity', 'pnl', 'pnl_percent']);

/** Sortable trades; clicking (or Enter on) a row asks the chart to zoom to that trade. `symbols`: a portfolio's trades, with their leg. */
export function TradesTable({ trades, selected, onSelect, currency = null, symbols = false }: { trades: Trade[]; selected: string | null; onSelect(t: Trade): void; currency?: string | null; symbols?: boolean }) {
  const [sort, setSort] = useState<{ key: TradeSortKey; dir: 1 | -1 }>({ key: 'entry_time', dir: 1 });
  const rows = useMemo(() => sortTrades(trades, sort.key, sort.dir), [trades, sort]);
  return (
    <div className="scroll-y">
      <table className="grid trades" data-testid="trades-table">
        <thead>
          <tr>
            {COLUMNS.map((c) => {
              const dir = sort.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none';
              return (
                <th key={c.key} className={NUMERIC.has(c.key) ? 'sortable num' : 'sortable'} aria-sort={dir} data-testid={`trades-sort-${c.key}`}>
                  <button
                    type="button"
                    className="sort-button"
                    onClick={() => setSort((s) => ({ key: c.key, dir: s.key === c.key ? ((-s.dir) as 1 | -1) : 1 }))}
                    title={`Sort by ${c.label}`}
                  >
                    {c.label}
                    <span aria-hidden="true">{dir === 'ascending' ? ' ▲' : dir === 'descending' ? ' ▼' : ''}</span>
                  </button>
                </th>
              );
            })}
            {symbols && <th>Symbol</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr
              key={t.id}
              className={t.id === selected ? 'selectable selected' : 'selectable'}
              tabIndex={0}
              onClick={() => onSelect(t)}
              onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), onSelect(t))}
              aria-selected={t.id === selected}
              data-testid={`trade-row-${t.id}`}
            >
              <td className="num">{t.id}</td>
              <td>{t.side}</td>
              <td>{fmtTime(t.entry_time)}</td>
              <td className="num">{fmtNumber(t.entry_price, 4)}</td>
              <td>{fmtTime(t.exit_time)}</td>
              <td className="num">{fmtNumber(t.exit_price, 4)}</td>
              <td className="num">{fmtNumber(t.quantity, 2)}</td>
              <td className={`num ${(t.pnl ?? 0) >= 0 ? 'pos' : 'neg'}`}>{fmtMoney(t.pnl, currency)}</td>
              <td className={`num ${(t.pnl_percent ?? 0) >= 0 ? 'pos' : 'neg'}`}>{t.pnl_percent === null ? '—' : `${fmtNumber(t.pnl_percent, 2)}%`}</td>
              {symbols && <td>{t.raw?.symbol ?? '—'}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
