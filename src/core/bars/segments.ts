// Splitting a download range into provider-sized segments with human labels ("2023-03").
import { DAY_MS } from './time';

export interface Segment {
  start: number;
  /** Exclusive. */
  end: number;
  label: string;
}

const ymd = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * Calendar months when a segment may span about a month, calendar years when it may span a year,
 * otherwise fixed chunks of `maxMs`. Segments cover [start, end) exactly, in order.
 */
export function splitRange(start: number, end: number, maxMs: number): Segment[] {
  const out: Segment[] = [];
  if (!(end > start)) return out;
  const unit = maxMs >= 365 * DAY_MS ? 'year' : maxMs >= 28 * DAY_MS ? 'month' : 'chunk';
  let a = start;
  while (a < end) {
    const d = new Date(a);
    let b: number;
    let label: string;
    if (unit === 'year') {
      b = Date.UTC(d.getUTCFullYear() + 1, 0, 1);
      label = String(d.getUTCFullYear());
    } else if (unit === 'month') {
      b = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      label = d.toISOString().slice(0, 7);
    } else {
      b = a + maxMs;
      label = '';
    }
    b = Math.min(b, end);
    if (unit === 'chunk') label = b - a <= DAY_MS ? ymd(a) : `${ymd(a)}..${ymd(b - 1)}`;
    out.push({ start: a, end: b, label });
    a = b;
  }
  return out;
}
