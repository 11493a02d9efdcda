// Chronological train/validation/test split of one or more symbols' rows, by time and purged.
//
// Boundaries are instants shared by every symbol: the validation split starts at the time below
// which `train` of all usable rows (pooled over the symbols) lie, the test split at the time below
// which `train + validation` lie. So no symbol's test period is another's training period (a
// cross-symbol model cannot learn 2016 on EURUSD and be tested on 2016 GBPUSD). With one symbol this
// is the usual split at row int(N·train) of its samples.
//
// Purging (the label embargo): a row stays in its split only if its label is known from bars before
// the next split starts. `knownAt(i)` is the last bar the label of row i depends on (zigzag: the bar
// at which its leg's direction and its place in the leg are settled; forward return: i + horizon).
// Rows whose label reaches into the next split are dropped from the earlier split and counted as
// embargoed. This takes exactly the rows that would leak, not a blanket `max horizon` before each
// boundary (a 3 % zigzag on 1h bars has legs of up to ~5,000 bars: a blanket embargo that long
// emptied the validation split; the rows it really needs are the few hundred of the leg that
// straddles the boundary).
//
// Rows that cannot be samples (unknown label, invalid features, too little history for a sequence
// window) are skipped before the boundaries are placed, so the ratios are shares of samples.
import type { SplitName, SplitReport, SplitWarning } from '../../shared/results/splits';

export type { SplitReport, SplitWarning } from '../../shared/results/splits';

export interface SplitRatios {
  train: number;
  validation: number;
  test: number;
}

export interface SplitRows {
  train: number[];
  validation: number[];
  test: number[];
}


export function normaliseRatios(r: Partial<SplitRatios> | undefined): SplitRatios {
  const train = r?.train ?? 0.7;
  const validation = r?.validation ?? 0.15;
  const test = r?.test ?? Math.max(0, 1 - train - validation);
  const sum = train + validation + test;
  if (!(train > 0) || validation < 0 || test < 0 || !(sum > 0)) throw new Error(`Invalid data_split ${JSON.stringify(r)}`);
  return { train: train / sum, validation: validation / sum, test: test / sum };
}

/** One symbol's rows as the split sees them. */
export interface SplitSource {
  symbol: string;
  rows: number;
  /** Row times (ms, ascending); without them the symbol is split by row position on its own. */
  time?: ArrayLike<number> | null;
  /** Label per row (class index, < 0 unknown): counted per split. */
  labels: ArrayLike<number>;
  usable(i: number): boolean;
  /** Last row index the label of row i depends on. */
  knownAt(i: number): number;
  /** Added to every returned row index (the symbol's first row in the combined matrix). */
  offset: number;
}

/** Below this many rows a split's accuracy or early-stopping signal is noise. */
export const MIN_SPLIT_ROWS = 100;

const SPLITS: SplitName[] = ['train', 'validation', 'test'];
const iso = (t: number) => new Date(t).toISOString();

/** The value at share `q` of the sorted array (its index int(n·q)); +∞ past the end. */
function cut(sorted: Float64Array, q: number): number {
  const k = Math.floor(sorted.length * q + 1e-9);
  return k < sorted.length ? sorted[k] : Infinity;
}

export function splitByTime(sources: readonly SplitSource[], ratios: SplitRatios, classNames: readonly string[]): { rows: SplitRows; report: SplitReport } {
  const byTime = sources.length > 0 && sources.every((s) => s.time && s.time.length === s.rows);
  const coord = (s: SplitSource, i: number) => (byTime ? s.time![i] : i);
  // Boundaries: pooled over all symbols by time; per symbol by position when a symbol has no times.
  const boundariesOf = (group: readonly SplitSource[]) => {
    const xs: number[] = [];
    for (const s of group) for (let i = 0; i < s.rows; i++) if (s.usable(i)) xs.push(coord(s, i));
    const sorted = Float64Array.from(xs).sort();
    return { t1: cut(sorted, ratios.train), t2: cut(sorted, ratios.train + ratios.validation) };
  };
  const shared = byTime ? boundariesOf(sources) : null;

  const out: SplitRows = { train: [], validation: [], test: [] };
  const counts = Object.fromEntries(SPLITS.map((k) => [k, Object.fromEntries(classNames.map((c) => [c, 0]))])) as Record<SplitName, Record<string, number>>;
  const embargoed = { train: 0, validation: 0 };
  const perSymbol: Record<string, Record<SplitName, number>> = {};
  let lookahead = 0;
  for (const s of sources) {
    const { t1, t2 } = shared ?? boundariesOf([s]);
    // First row of this symbol in the validation and the test period.
    let b1 = s.rows;
    let b2 = s.rows;
    for (let i = s.rows - 1; i >= 0; i--) {
      const x = coord(s, i);
      if (x >= t1) b1 = i;
      if (x >= t2) b2 = i;
    }
    const mine: Record<SplitName, number> = { train: 0, validation: 0, test: 0 };
    for (let i = 0; i < s.rows; i++) {
      if (!s.usable(i)) continue;
      const known = s.knownAt(i);
      lookahead = Math.max(lookahead, known - i);
      let split: SplitName;
      if (i < b1) {
        if (known >= b1) {
          embargoed.train++;
          continue;
        }
        split = 'train';
      } else if (i < b2) {
        if (known >= b2) {
          embargoed.validation++;
          continue;
        }
        split = 'validation';
      } else split = 'test';
      out[split].push(s.offset + i);
      mine[split]++;
      const name = classNames[s.labels[i]];
      if (name !== undefined) counts[split][name]++;
    }
    perSymbol[s.symbol] = mine;
  }
  const rows = { train: out.train.length, validation: out.validation.length, test: out.test.length };
  const report: SplitReport = {
    method: byTime ? 'time' : 'position',
    ratios,
    boundaries: {
      validation_start: shared && rows.validation > 0 && Number.isFinite(shared.t1) ? iso(shared.t1) : null,
      test_start: shared && rows.test > 0 && Number.isFinite(shared.t2) ? iso(shared.t2) : null,
    },
    rows,
    embargoed,
    max_label_lookahead: lookahead,
    label_counts: counts,
    per_symbol: sources.length > 1 ? perSymbol : null,
    warnings: [],
  };
  report.warnings = degenerateSplits(report);
  return { rows: out, report };
}

const ROLE: Record<SplitName, string> = {
  train: 'the model has (almost) nothing to learn from',
  validation: 'early stopping and validation accuracy (the default sweep objective) rest on it',
  test: 'test accuracy and the baseline verdict rest on it',
};

/** Empty, tiny or one-class splits, each with its cause where the split itself shows it. */
export function degenerateSplits(r: Pick<SplitReport, 'ratios' | 'rows' | 'embargoed' | 'label_counts'>): SplitWarning[] {
  const out: SplitWarning[] = [];
  for (const split of SPLITS) {
    if (r.ratios[split] === 0) continue; // asked for none: not a degenerate split
    const rows = r.rows[split];
    const purged = split === 'test' ? 0 : r.embargoed[split];
    const cause = purged ? ` (${purged.toLocaleString('en-US')} of its rows were embargoed because their labels look into the next split)` : '';
    if (rows === 0) {
      out.push({ split, kind: 'empty', rows, message: `The ${split} split is empty${cause}: ${ROLE[split]}; widen the date range or change data_split` });
      continue;
    }
    if (rows < MIN_SPLIT_ROWS) out.push({ split, kind: 'tiny', rows, message: `The ${split} split has only ${rows} rows (< ${MIN_SPLIT_ROWS})${cause}: ${ROLE[split]}, and on so few rows it is noise` });
    const present = Object.entries(r.label_counts[split]).filter(([, n]) => n > 0);
    if (present.length === 1)
      out.push({ split, kind: 'one_class', rows, message: `Every ${split} label is ${present[0][0]} (${rows} rows, one move): accuracy on it is the share of that class, not skill` });
  }
  return out;
}
