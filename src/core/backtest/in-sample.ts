// The in-sample guard: how many backtest bars fall inside the range of rows the model was trained,
// validated and tested on (its manifest's first_row_time .. last_row_time). Any such bar makes the
// backtest partly in sample: the model has seen those bars' features and labels (or chose its
// epochs on them), so results there flatter it.
//
// A manifest that does not record the range (older models, or a training without dates whose rows
// were not recorded) leaves the answer unknown: out_of_sample and in_sample_bars are null with a
// reason and a warning, never "out of sample" by default.
import { parseDateBoundary } from './dates';

export const UNKNOWN_MODEL_RANGE = "the model's manifest records no range of training rows: whether the backtest overlaps its training data is unknown";

export interface InSampleResult {
  /** null when the model's data range is unknown (reason: UNKNOWN_MODEL_RANGE). */
  in_sample_bars: number | null;
  out_of_sample: boolean | null;
  /** ISO bounds of the model's data, or null when the manifest does not record them. */
  model_data_range: { start: string; end: string } | null;
  warning: string | null;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `time` = backtest bar open times (ms, ascending). */
export function inSampleCheck(time: Float64Array, range: { start: string | null; end: string | null } | null): InSampleResult {
  const start = range?.start ? parseDateBoundary(range.start, 'start') : null;
  const end = range?.end ? parseDateBoundary(range.end, 'end') : null;
  if (start === null || end === null) {
    return { in_sample_bars: null, out_of_sample: null, model_data_range: null, warning: `In-sample check unknown: ${UNKNOWN_MODEL_RANGE}; retrain the model to record it, or judge the dates yourself.` };
  }
  let count = 0;
  let first = NaN;
  let last = NaN;
  for (let i = 0; i < time.length; i++) {
    if (time[i] >= start && time[i] <= end) {
      if (count === 0) first = time[i];
      last = time[i];
      count++;
    }
  }
  const model_data_range = { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
  const warning =
    count > 0
      ? `In-sample backtest: ${count} of ${time.length} bars (${day(first)} .. ${day(last)}) lie inside the model's training data (${day(start)} .. ${day(end)}); ` +
        `results on them are not out of sample. Backtest after ${day(end)} to judge the model.`
      : null;
  return { in_sample_bars: count, out_of_sample: count === 0, model_data_range, warning };
}
