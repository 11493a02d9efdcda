// How a training split its rows, read from its typed result: `data_summary.splits` (the split report:
// sizes, embargoed rows, label counts per class and per split, with warnings that give the cause), or,
// for results made before it, `data_summary.samples` / `embargo_rows` / `label_distribution`. An
// empty split gets a cause in words either way.
import type { TrainingResult } from '../../../shared/results/training';
import { SPLIT_NAMES, type SplitName } from '../../../shared/results/splits';
import type { BaselineVerdict } from './training-results';

export type SplitKey = SplitName;
export const SPLITS: readonly SplitKey[] = SPLIT_NAMES;

export interface SplitRow {
  split: SplitKey;
  rows: number;
  /** Share of all split rows; null when there are no rows at all. */
  share: number | null;
  /** Rows dropped before the next split (their labels look into it); null when not recorded. */
  embargoed: number | null;
  /** Labelled rows per class (BUY/HOLD/SELL), empty when not recorded. */
  labels: Record<string, number>;
}

export interface SplitView {
  rows: SplitRow[];
  classes: string[];
  /** The requested shares (data_split), when recorded. */
  ratios: Record<SplitKey, number> | null;
  /** Bars a label looks ahead (the embargo before each boundary in older results). */
  lookahead: number | null;
  /** One sentence per empty, tiny or one-class split, saying why. */
  notes: { split: SplitKey; text: string }[];
}

export type DataSummary = TrainingResult['data_summary'];

/**
 * `knownRatios`: the shares the run asked for when the results do not say (older runs: the model's
 * settings.data_split), so an empty split's cause can tell a 0 % share from the embargo.
 */
export function readSplits(ds: Pick<DataSummary, 'splits' | 'samples' | 'embargo_rows' | 'label_distribution'> | null, knownRatios: Record<SplitKey, number> | null = null): SplitView | null {
  if (!ds) return null;
  const rep = ds.splits;
  const sizes = rep?.rows ?? ds.samples;
  if (!sizes) return null;
  const total = SPLITS.reduce((a, k) => a + sizes[k], 0);
  const lookahead = rep ? rep.max_label_lookahead : (ds.embargo_rows ?? null);
  const labelsBy = rep?.label_counts ?? ds.label_distribution;
  const rows: SplitRow[] = SPLITS.map((k) => ({
    split: k,
    rows: sizes[k],
    share: total > 0 ? sizes[k] / total : null,
    // The split report counts purged rows per split (none leave the test split); older results only
    // knew the embargo length before each boundary.
    embargoed: rep ? (k === 'test' ? 0 : rep.embargoed[k]) : null,
    labels: labelsBy?.[k] ?? {},
  }));
  const classes = [...new Set(rows.flatMap((r) => Object.keys(r.labels)))];
  const ratios = rep?.ratios ?? knownRatios;
  const notes: SplitView['notes'] = (rep?.warnings ?? []).map((w) => ({ split: w.split, text: w.message }));
  // Older results say only "the validation split is empty": give the cause from what they hold.
  for (const row of rows) {
    if (row.rows > 0 || notes.some((n) => n.split === row.split) || row.split === 'train') continue;
    notes.push({ split: row.split, text: emptyCause(row.split, total, lookahead, ratios?.[row.split] ?? null) });
  }
  return { rows, classes, ratios, lookahead, notes };
}

/** Why a validation or test split has no rows, from the total, the label look-ahead and the share asked for. */
export function emptyCause(split: SplitKey, total: number, lookahead: number | null, ratio: number | null): string {
  const name = split === 'validation' ? 'The validation split' : 'The test split';
  if (ratio === 0) return `${name} is empty because training.data_split.${split} is 0.`;
  const share = ratio !== null ? `its ${(ratio * 100).toFixed(0)} % share of ${total.toLocaleString('en-US')} usable rows (≈ ${Math.floor(ratio * total)})` : `its share of the ${total.toLocaleString('en-US')} usable rows`;
  if (lookahead && lookahead > 0)
    return `${name} is empty: ${share} is used up by the embargo — each label looks up to ${lookahead} bars ahead, so the last ${lookahead} rows before a boundary are dropped. Train on a longer range (more bars) or use labels with a shorter horizon.`;
  return `${name} is empty: ${share} holds no usable row (indicator warm-up and unlabelled rows are skipped). Train on a longer range.`;
}

/**
 * The baseline box's tone: good only when the model beats the constant on every split shown; bad when
 * it does worse than the constant on any; a warning otherwise (not significantly better, or untested).
 */
export function baselineTone(verdicts: readonly Pick<BaselineVerdict, 'beats' | 'worse'>[]): 'good' | 'bad' | 'warn' {
  if (verdicts.length && verdicts.every((v) => v.beats)) return 'good';
  if (verdicts.some((v) => v.worse)) return 'bad';
  return 'warn';
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const share = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1 ? v : null);

/** The shares a model was trained with (GET /models/{strategy}/{version} → settings.data_split), or null. */
export function ratiosFromModel(body: unknown): Record<SplitKey, number> | null {
  const ds = obj(obj(obj(obj(body)?.model)?.settings)?.data_split);
  if (!ds) return null;
  const train = share(ds.train);
  const validation = share(ds.validation);
  const test = share(ds.test);
  return train === null || validation === null || test === null ? null : { train, validation, test };
}
