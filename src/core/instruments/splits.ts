// Split-adjusted prices and the quantity really traded (issue 22 item 2).
//
// Vendors (the bundled Lean files, IB's historical bars, most CSV exports) divide every price before
// a split by the split ratio, so the series is continuous. A per-share commission, a spread or a
// slippage quoted in cents, and whole-share rounding are facts about the shares that really traded:
// in 2003 one series unit of AAPL (split-adjusted to 2021, ×112 since) was 1/56 of a share. Charging
// $0.005 and a 1-cent spread per series unit there costs ~11 % of notional a round trip instead of
// ~0.1 %. So the engine takes a per-bar price factor F (traded price ÷ series price = the product of
// the ratios of the splits after that bar the series was adjusted for) and charges per-share costs on
// q / F shares at F × price (src/core/portfolio/book.ts).
//
// Which splits a series is adjusted for is read from the data where it can be: at each known split
// inside the series, an unadjusted series jumps by the ratio between the last close before the
// ex-date and the first open on it, an adjusted one does not. Splits after the series' last bar
// cannot be seen; they are taken as applied when every split inside the series is (or when there is
// none: vendors adjust to the present), unless the request says otherwise (`price_adjustment`).
// Documented in docs/instruments.md.

export interface Split {
  /** Ex-date (UTC day): the first session at post-split prices. */
  date: string;
  /** New shares per old share (2 for 2-for-1; 0.5 for a 1-for-2 reverse split). */
  ratio: number;
}

/** Splits of the bundled and common US symbols (ex-dates as published by the issuers; Lean's factor files agree for AAPL). */
const SPLITS: Record<string, Split[]> = {
  AAPL: [
    { date: '2000-06-21', ratio: 2 },
    { date: '2005-02-28', ratio: 2 },
    { date: '2014-06-09', ratio: 7 },
    { date: '2020-08-31', ratio: 4 },
  ],
  MSFT: [
    { date: '1998-02-23', ratio: 2 },
    { date: '1999-03-29', ratio: 2 },
    { date: '2003-02-18', ratio: 2 },
  ],
  QQQ: [{ date: '2000-03-20', ratio: 2 }],
  SPY: [],
};

export function splitsOf(symbol: string): Split[] {
  return SPLITS[symbol.toUpperCase()] ?? [];
}

/** How the request describes the bars: `auto` reads the data (see the header). */
export type PriceAdjustmentMode = 'auto' | 'split_adjusted' | 'as_traded';
export const PRICE_ADJUSTMENT_MODES: readonly PriceAdjustmentMode[] = ['auto', 'split_adjusted', 'as_traded'];

export interface SplitEvidence {
  date: string;
  ratio: number;
  /** Last close before the ex-date ÷ first open on or after it (≈ ratio when the series is not adjusted). */
  price_ratio: number;
  adjusted: boolean;
}

export interface PriceAdjustment {
  mode: PriceAdjustmentMode;
  /** Splits the factor divides out (those the series is adjusted for). */
  applied: Split[];
  /** Splits inside the series and what the prices around them say. */
  evidence: SplitEvidence[];
  /** A sentence when the state had to be assumed or the data disagrees with itself. */
  note: string | null;
  /** Per bar: traded price ÷ series price; null when every factor is 1. */
  factor: Float64Array | null;
}

const DAY_MS = 86_400_000;
const dayMs = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** Per-bar product of the ratios of the splits at or after the bar's day (the bar trades before them). */
export function priceFactors(time: Float64Array, splits: readonly Split[]): Float64Array | null {
  if (splits.length === 0) return null;
  const ex = splits.map((s) => dayMs(s.date));
  const out = new Float64Array(time.length);
  for (let k = 0; k < time.length; k++) {
    let f = 1;
    // A bar belongs to the day of its open; a split with ex-date after that day still lies ahead.
    const day = Math.floor(time[k] / DAY_MS) * DAY_MS;
    for (let j = 0; j < splits.length; j++) if (ex[j] > day) f *= splits[j].ratio;
    out[k] = f;
  }
  return out;
}

/** What the bars around each split inside them say (null when the split is outside the bars or a side is missing). */
function evidenceAt(time: Float64Array, open: Float64Array, close: Float64Array, split: Split): SplitEvidence | null {
  const ex = dayMs(split.date);
  let k = 0;
  while (k < time.length && time[k] < ex) k++;
  if (k === 0 || k === time.length) return null;
  const ratio = close[k - 1] / open[k];
  // Nearer the split ratio than 1 (in log terms) means the prices jump: not adjusted.
  const adjusted = Math.abs(Math.log(ratio)) <= Math.abs(Math.log(ratio / split.ratio));
  return { date: split.date, ratio: split.ratio, price_ratio: ratio, adjusted };
}

/** The price factor of `symbol`'s bars under `mode` (see the header). */
export function priceAdjustment(symbol: string, bars: { time: Float64Array; open: Float64Array; close: Float64Array }, mode: PriceAdjustmentMode = 'auto'): PriceAdjustment {
  const splits = splitsOf(symbol);
  const evidence = splits.map((s) => evidenceAt(bars.time, bars.open, bars.close, s)).filter((e): e is SplitEvidence => e !== null);
  if (mode === 'as_traded' || splits.length === 0) return { mode, applied: [], evidence, note: null, factor: null };
  if (mode === 'split_adjusted') return { mode, applied: splits, evidence, note: null, factor: priceFactors(bars.time, splits) };
  const last = bars.time.length ? bars.time[bars.time.length - 1] : -Infinity;
  const inside = new Set(evidence.map((e) => e.date));
  const allAdjusted = evidence.every((e) => e.adjusted);
  // Splits the data shows adjusted, and the later ones when nothing inside says otherwise.
  const applied = splits.filter((s) => (inside.has(s.date) ? evidence.find((e) => e.date === s.date)!.adjusted : dayMs(s.date) > last && allAdjusted));
  let note: string | null = null;
  const later = splits.filter((s) => dayMs(s.date) > last);
  if (!evidence.length && later.length) {
    note = `${symbol}: no split inside the bars to tell whether they are split-adjusted; taken as adjusted for the later split(s) ${later.map((s) => `${s.date} ${s.ratio}:1`).join(', ')} (set price_adjustment: as_traded if they are not)`;
  } else if (!allAdjusted && evidence.some((e) => e.adjusted)) {
    note = `${symbol}: the bars are adjusted for some splits but not others (${evidence.map((e) => `${e.date} ${e.adjusted ? 'adjusted' : 'not adjusted'}`).join(', ')}); costs follow each split as the data shows it`;
  }
  return { mode, applied, evidence, note, factor: priceFactors(bars.time, applied) };
}
