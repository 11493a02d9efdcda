import type { BarSeries } from '../bars/types';
import type { LabelConfig } from '../strategy/types';
import { forwardReturnLabels } from './forward-return';
import { tripleBarrierLabels } from './triple-barrier';
import type { LabelResult } from './types';
import { zigzagLabels } from './zigzag';

export { BUY, HOLD, SELL, UNKNOWN, type LabelResult } from './types';
export { zigzagLabels, zigzagPivots } from './zigzag';
export { tripleBarrierLabels, barrierVolatility, type TripleBarrierParams } from './triple-barrier';
export { forwardReturnLabels } from './forward-return';

/** Labels for one symbol's base-timeframe bars, as the strategy's `training.labels` says. */
export function computeLabels(cfg: LabelConfig, bars: BarSeries): LabelResult {
  switch (cfg.source) {
    case 'zigzag':
      return zigzagLabels(bars.close, cfg.zigzag_threshold);
    case 'triple_barrier':
      return tripleBarrierLabels(bars, cfg);
    case 'forward_return': {
      const { labels, horizon, knownAt } = forwardReturnLabels(bars.close, cfg.horizon, cfg.threshold);
      return { labels, horizon, knownAt };
    }
  }
}
