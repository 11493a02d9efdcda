// What both the training route (checks before an operation exists) and the training job (the run
// itself) need to turn a request into inputs: the parsed, retargeted strategy, the date range, and
// whether bars exist for every symbol/timeframe. Strategy files are found by the StrategyCatalog.
import type { BarStore } from '../bars/bar-store';
import type { IndicatorCatalog } from '../../core/strategy/catalog';
import { DEFAULT_CATALOG } from '../../core/strategy/default-catalog';
import { formatIssue } from '../../core/strategy/format';
import { parseStrategyWith } from '../../core/strategy/parse';
import { parseStrictDate } from '../../core/bars/user-date';
import { retargetStrategy } from '../../core/strategy/retarget';
import type { ParseResult, StrategyConfig, StrategyIssue } from '../../core/strategy/types';
import { missingDataHint, syntheticDataWarning } from '../../shared/data-hints';

export function indicatorCatalog(): IndicatorCatalog {
  return DEFAULT_CATALOG;
}

export interface ParsedForTraining {
  strategy: StrategyConfig;
  issues: StrategyIssue[];
  /** One line per error, `name:line:column error path: message`. */
  errors: string[];
  warnings: string[];
}

/**
 * Parses and retargets the strategy to the requested symbols/timeframes (the request wins, as in
 * KTRDR). `parsed`: the parse of `text` already made (routes parse on a thread; the result is read only).
 */
export function parseForTraining(
  text: string,
  name: string,
  req: { symbols?: string[]; timeframes?: string[] },
  parsed: ParseResult = parseStrategyWith(text, { catalog: indicatorCatalog(), sourceName: `${name}.yaml` }),
): ParsedForTraining | { errors: string[]; issues: StrategyIssue[] } {
  const errors = parsed.issues.filter((i) => i.severity === 'error').map((i) => formatIssue(i, `${name}.yaml`));
  if (!parsed.valid || !parsed.strategy) return { errors: errors.length ? errors : ['the strategy is not valid'], issues: parsed.issues };
  const r = retargetStrategy(parsed.strategy, req);
  if (r.problems.length) return { errors: r.problems, issues: parsed.issues };
  if (r.strategy.decisions.output_format !== 'classification')
    return { errors: [`decisions.output_format '${r.strategy.decisions.output_format}' is not supported by training yet (classification only)`], issues: parsed.issues };
  const warnings = parsed.issues.filter((i) => i.severity === 'warning').map((i) => formatIssue(i, `${name}.yaml`));
  return { strategy: r.strategy, issues: parsed.issues, errors: [], warnings };
}

/** 'YYYY-MM-DD' or an ISO timestamp → UTC ms; a bare end date covers its whole day. null when absent. */
export function parseDateBound(value: string | null | undefined, end: boolean): number | null | 'invalid' {
  if (value === undefined || value === null || value === '') return null;
  const r = parseStrictDate(value, end ? 'end' : 'start');
  return r.ok ? r.ms : 'invalid';
}

export interface DataProblem {
  status: 400 | 404;
  message: string;
}

/** Every symbol × timeframe must have bars (stored or resamplable) overlapping [start, end]. */
export function checkTrainingData(store: BarStore, symbols: string[], timeframes: string[], start: number | null, end: number | null): DataProblem[] {
  const problems: DataProblem[] = [];
  for (const symbol of symbols) {
    for (const tf of timeframes) {
      let info;
      try {
        info = store.info(symbol, tf);
        if (!info) {
          const src = store.resampleSource(symbol, tf);
          info = src ? store.info(symbol, src) : null;
        }
      } catch (err) {
        problems.push({ status: 400, message: (err as Error).message });
        continue;
      }
      if (!info || info.count === 0 || info.start === null || info.end === null) {
        problems.push({ status: 404, message: `No data for ${symbol} ${tf}: ${missingDataHint(symbol, tf)}` });
        continue;
      }
      if ((start !== null && info.end < start) || (end !== null && info.start > end)) {
        const have = `${new Date(info.start).toISOString().slice(0, 10)} to ${new Date(info.end).toISOString().slice(0, 10)}`;
        const want = `${start === null ? '…' : new Date(start).toISOString().slice(0, 10)} to ${end === null ? '…' : new Date(end).toISOString().slice(0, 10)}`;
        problems.push({ status: 400, message: `${symbol} ${tf} has data from ${have}, which does not overlap the requested ${want}; load that range or change the dates` });
      }
    }
  }
  return problems;
}

/**
 * The warning for a run on generated bars (source `synthetic`, or a resample of such a series), or
 * null: every symbol × timeframe is looked up the way training and backtests load it.
 */
export function syntheticWarning(store: BarStore, symbols: string[], timeframes: string[]): string | null {
  const made: string[] = [];
  for (const symbol of symbols)
    for (const tf of timeframes) {
      try {
        const info = store.info(symbol, tf) ?? (store.resampleSource(symbol, tf) ? store.info(symbol, store.resampleSource(symbol, tf)!) : null);
        if (info?.synthetic) made.push(`${symbol} ${tf}`);
      } catch {
        // an invalid name: the data checks report it
      }
    }
  return made.length ? syntheticDataWarning(made) : null;
}
