// How a training run split its rows (src/worker/training/split.ts): part of every training result
// (data_summary.splits) and of the experiment summaries built from it. Pure: zod only.
import { z } from 'zod';

export const SPLIT_NAMES = ['train', 'validation', 'test'] as const;
export const splitName = z.enum(SPLIT_NAMES);
export type SplitName = z.infer<typeof splitName>;

/** One value per split (train, validation, test). */
export const perSplit = <T extends z.ZodType>(t: T) => z.object({ train: t, validation: t, test: t });

/** A split that training should not be judged on: empty, tiny (< 100 rows) or of one class. */
export const splitWarningSchema = z.object({
  split: splitName,
  kind: z.enum(['empty', 'tiny', 'one_class']),
  rows: z.number().int().min(0),
  message: z.string(),
});
export type SplitWarning = z.infer<typeof splitWarningSchema>;

export const splitReportSchema = z.object({
  /** 'time': boundaries are instants shared by every symbol; 'position': per-symbol row positions (no row times). */
  method: z.enum(['time', 'position']),
  ratios: perSplit(z.number().min(0).max(1)),
  /** First instant of the validation and the test split (ISO), null when that split is empty or positional. */
  boundaries: z.object({ validation_start: z.string().nullable(), test_start: z.string().nullable() }),
  rows: perSplit(z.number().int().min(0)),
  /** Rows dropped from a split because their label looks into the next split (the purge). */
  embargoed: z.object({ train: z.number().int().min(0), validation: z.number().int().min(0) }),
  /** Most bars any label looks ahead. */
  max_label_lookahead: z.number().int().min(0),
  /** Labelled rows per class in each split. */
  label_counts: perSplit(z.record(z.string(), z.number().int().min(0))),
  /** Rows per split of each symbol (multi-symbol runs only). */
  per_symbol: z.record(z.string(), perSplit(z.number().int().min(0))).nullable(),
  warnings: z.array(splitWarningSchema),
});
export type SplitReport = z.infer<typeof splitReportSchema>;
