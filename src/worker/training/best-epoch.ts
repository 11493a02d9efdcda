import type { EarlyStoppingConfig } from './trainer';

/** Everything the tracker knows, as plain data (a checkpoint carries it; `bestLoss` is Infinity before any epoch). */
export interface BestEpochState {
  bestEpoch: number;
  bestLoss: number;
  sinceBest: number;
  stopped: boolean;
}

/**
 * Which epoch has the lowest validation loss so far, and whether early stopping says to stop
 * (no improvement of at least `minDelta` for `patience` epochs). The training loop keeps a weight
 * snapshot whenever `observe` reports a new best, and puts it back at the end.
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

  get state(): BestEpochState {
    return { bestEpoch: this.bestEpoch, bestLoss: this.bestLoss, sinceBest: this.sinceBest, stopped: this.stopped };
  }

  restore(s: BestEpochState): void {
    this.bestEpoch = s.bestEpoch;
    this.bestLoss = s.bestLoss;
    this.sinceBest = s.sinceBest;
    this.stopped = s.stopped;
  }
}
