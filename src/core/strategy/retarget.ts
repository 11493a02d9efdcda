// A training or backtest request may name other symbols/timeframes than the file (KTRDR: the request
// wins). Re-expands `timeframes: all` for the new list; explicit per-input lists must still fit.
import { timeframeMs } from '../timeframes';
import type { StrategyConfig } from './types';

export interface RetargetResult {
  strategy: StrategyConfig;
  /** Why the request does not fit the strategy (empty when it does). */
  problems: string[];
}

export function retargetStrategy(s: StrategyConfig, req: { symbols?: string[]; timeframes?: string[] }): RetargetResult {
  const problems: string[] = [];
  const symbols = req.symbols?.length ? [...req.symbols] : s.training_data.symbols.list;
  let timeframes = s.training_data.timeframes.list;
  if (req.timeframes?.length) {
    const bad = req.timeframes.filter((t) => timeframeMs(t) === null);
    if (bad.length) problems.push(`${bad.map((t) => `'${t}'`).join(', ')} ${bad.length === 1 ? 'is not a timeframe' : 'are not timeframes'} (a number and a unit m/h/d/w, e.g. 1h, 4h, 1d)`);
    timeframes = [...new Set(req.timeframes.filter((t) => timeframeMs(t) !== null))];
  }
  // Only when nothing was typed: a typo is already named above, "no timeframe" would only confuse.
  if (!timeframes.length && !problems.length) problems.push('no timeframe given');
  const nn_inputs = s.nn_inputs.map((inp) => {
    if (inp.all_timeframes) return { ...inp, timeframes: [...timeframes] };
    const missing = inp.timeframes.filter((t) => !timeframes.includes(t));
    if (missing.length) problems.push(`${inp.kind === 'fuzzy_set' ? inp.fuzzy_set : inp.raw_indicator} needs timeframe(s) ${missing.join(', ')}, not in ${timeframes.join(', ')}`);
    return inp;
  });
  // The row clock is the shortest timeframe (the file's base_timeframe is validated to be the shortest too).
  const base = [...timeframes].sort((a, b) => timeframeMs(a)! - timeframeMs(b)!)[0];
  return {
    problems,
    strategy: {
      ...s,
      training_data: {
        ...s.training_data,
        symbols: { mode: symbols.length > 1 ? 'multi_symbol' : 'single', list: symbols },
        timeframes: { mode: timeframes.length > 1 ? 'multi_timeframe' : 'single', list: timeframes, base_timeframe: base ?? '' },
      },
      nn_inputs,
    },
  };
}
