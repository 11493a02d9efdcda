import type { BarSeries } from '../bars/types';

export type ParamValue = number | string | boolean;

export interface ParamSpec {
  name: string;
  type: 'int' | 'float' | 'string' | 'bool';
  default: ParamValue;
  min?: number;
  max?: number;
  /** For string params: the allowed values (e.g. source: close|open|high|low|hl2|hlc3|ohlc4). */
  choices?: string[];
  description: string;
}

/**
 * One indicator: a pure, vectorised function over typed arrays. Outputs are Float64Arrays of the
 * same length as the bars; warm-up positions are NaN (never zero-filled). Output i depends only on
 * bars[0..i] (no look-ahead), which a generic test checks for every indicator.
 */
export interface IndicatorDefinition {
  /** Lower-case id used in strategy YAML `type:` (e.g. "rsi", "macd", "bbands"). */
  type: string;
  /** Other accepted spellings (KTRDR class names such as "RSIIndicator", "BollingerBands"). */
  aliases?: string[];
  name: string;
  description: string;
  category: 'trend' | 'momentum' | 'volatility' | 'volume' | 'support_resistance' | 'other';
  params: ParamSpec[];
  /** Output names; the first is the default output (used when a fuzzy set names only the indicator). */
  outputs: string[];
  /**
   * Number of leading NaN values for these params (the documented warm-up): the first index at which
   * EVERY output is defined (the maximum of outputWarmups when that is given).
   */
  warmup(params: Record<string, ParamValue>): number;
  /** Leading NaN count of each output when they differ (e.g. MACD line vs signal); absent = all equal warmup. */
  outputWarmups?(params: Record<string, ParamValue>): Record<string, number>;
  /** Cross-parameter checks run by resolveParams after each value passed its own spec. */
  checkParams?(params: Record<string, ParamValue>): { param: string; message: string; severity: 'error' | 'warning' }[];
  compute(bars: BarSeries, params: Record<string, ParamValue>): Record<string, Float64Array>;
  /** Where and why this differs from TA-Lib or from KTRDR, if it does. */
  notes?: string;
}
