import { generateSyntheticBars } from '../../core/bars/synthetic';
import type { BarSeries } from '../../core/bars/types';
import { timeframeMs } from '../../core/timeframes';
import { DAY, ProviderError, type BarProvider, type CancelSignal, type FetchProgress, type FetchRequest } from './types';

/** Seeded random-walk bars (core/bars/synthetic.ts), always labelled synthetic. For tests, demos and seeds. */
export class SyntheticProvider implements BarProvider {
  readonly id = 'synthetic';
  readonly synthetic = true;

  constructor(private readonly seed = 42) {}

  segmentMs(timeframe: string): number {
    const tf = timeframeMs(timeframe) ?? 3_600_000;
    return tf < 3_600_000 ? 31 * DAY : 366 * DAY;
  }

  async fetch(req: FetchRequest, _onProgress?: FetchProgress, _signal?: CancelSignal): Promise<BarSeries> {
    try {
      return generateSyntheticBars({ ...req, seed: this.seed });
    } catch (err) {
      throw new ProviderError(this.id, (err as Error).message);
    }
  }
}
