// The in-sample guard of a backtest's (parsed) results, as the Backtests view says it: a banner that
// must be seen, a note when the request acknowledged it, or "unknown" when the model's range is not
// recorded (never silently "out of sample").
import type { BacktestResult } from '../../../shared/results/backtest';

export interface InSampleNotice {
  /** 'banner' when it must be seen; 'note' when acknowledged (allow_in_sample) or unknown. */
  level: 'banner' | 'note';
  text: string;
}

export function inSampleNotice(r: Pick<BacktestResult, 'out_of_sample' | 'in_sample_bars' | 'equity_curve_length' | 'model_data_range' | 'allow_in_sample' | 'null_reasons'> | null): InSampleNotice | null {
  if (!r || r.out_of_sample === true) return null;
  if (r.out_of_sample === null) return { level: 'note', text: `In-sample check unknown: ${r.null_reasons.out_of_sample ?? 'not recorded'}.` };
  const range = r.model_data_range ? ` (${r.model_data_range.start.slice(0, 10)} .. ${r.model_data_range.end.slice(0, 10)})` : '';
  const text = `${r.in_sample_bars ?? 0} of ${r.equity_curve_length} bars lie inside the model's training data${range}: these results are not out of sample.`;
  return { level: r.allow_in_sample ? 'note' : 'banner', text };
}
