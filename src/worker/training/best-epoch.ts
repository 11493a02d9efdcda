import type { EarlyStoppingConfig } from './trainer';

/**
 * Which epoch has the lowest validation loss so far, and whether early stopping says to stop
 * (no improvement of at least `minDelta` for `patience` epochs). Both trainers keep a weight
 * snapshot whenever `observe` reports a new best, and put it back at the end.
 */
export class BestEpochTracker {
  bestEpoch = 0;
  stopped = false;
  private bestLoss = Infinity;
  private sinceBest = 0;

  constructor(private readonly early: EarlyStoppingConfig | null) {}

  /** Records an epoch's validation loss; true when it is the new best. */
  observe(epoch: number, valLoss: number): boolean {
    if (valLoss < this.bestLoss - (this.early?.minDelta ?? 0) || this.bestEpoch === 0) {
      this.bestLoss = valLoss;
      this.bestEpoch = epoch;
      this.sinceBest = 0;
      return true;
    }
    this.sinceBest++;
    if (this.early && this.sinceBest >= this.early.patience) this.stopped = true;
    return false;
  }
}
