// Training checkpoint settings (issue 25): in a strategy's `training.checkpoints` and, overriding it for
// one run, in a training request's `checkpoints`. Checkpoints are written every `every_epochs` epochs
// and after the first epoch that ends `every_seconds` after the previous one (0 turns either off),
// and when the training is cancelled; the newest `keep` are kept.
import { z } from 'zod';

const fields = {
  enabled: z.boolean(),
  every_epochs: z.number().int().min(0).max(1_000_000),
  every_seconds: z.number().min(0).max(7 * 86_400),
  keep: z.number().int().min(1).max(100),
};

export const DEFAULT_CHECKPOINT_SETTINGS = { enabled: true, every_epochs: 10, every_seconds: 300, keep: 2 } as const;

/** `training.checkpoints` in a strategy: every field optional, defaults above. */
export const checkpointSettingsSchema = z.object({
  enabled: fields.enabled.default(DEFAULT_CHECKPOINT_SETTINGS.enabled),
  every_epochs: fields.every_epochs.default(DEFAULT_CHECKPOINT_SETTINGS.every_epochs),
  every_seconds: fields.every_seconds.default(DEFAULT_CHECKPOINT_SETTINGS.every_seconds),
  keep: fields.keep.default(DEFAULT_CHECKPOINT_SETTINGS.keep),
});

export type CheckpointSettings = z.output<typeof checkpointSettingsSchema>;

/** A request's override: the fields it names replace the strategy's. */
export const checkpointOverrideSchema = z.strictObject(fields).partial();
export type CheckpointOverride = z.output<typeof checkpointOverrideSchema>;
