// Client-side checks of the start forms, mirroring the server's rules so most mistakes are caught
// before a request; the server's 4xx answer is still shown next to the form.
import { SIZING_PARAMETER, type SizingRuleType } from '../../../shared/portfolio';

export type FieldErrors = Record<string, string>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const TIMEFRAMES = ['1m', '5m', '15m', '30m', '1h', '2h', '4h', '1d', '1w', '1M'] as const;

/** "EURUSD, aapl  SPY" → ["EURUSD", "AAPL", "SPY"]. */
export function splitList(text: string, upper = false): string[] {
  const items = text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (upper ? s.toUpperCase() : s));
  return [...new Set(items)];
}

function checkDates(start: string, end: string, errors: FieldErrors, required: boolean): void {
  if (!start) {
    if (required) errors.start_date = 'Start date is required';
  } else if (!DATE.test(start) || Number.isNaN(Date.parse(start))) errors.start_date = 'Use YYYY-MM-DD';
  if (!end) {
    if (required) errors.end_date = 'End date is required';
  } else if (!DATE.test(end) || Number.isNaN(Date.parse(end))) errors.end_date = 'Use YYYY-MM-DD';
  if (!errors.start_date && !errors.end_date && start && end && start > end) errors.end_date = 'End date must be on or after the start date';
}

const SYMBOL = /^[A-Za-z0-9._^=-]{1,32}$/;

export interface TrainingForm {
  strategy_name: string;
  symbols: string;
  timeframes: string;
  start_date: string;
  end_date: string;
}

export function validateTrainingForm(f: TrainingForm): FieldErrors {
  const errors: FieldErrors = {};
  if (!f.strategy_name) errors.strategy_name = 'Choose a strategy';
  const symbols = splitList(f.symbols, true);
  if (symbols.length === 0) errors.symbols = 'At least one symbol must be specified';
  else if (symbols.some((s) => !SYMBOL.test(s))) errors.symbols = `Invalid symbol: ${symbols.find((s) => !SYMBOL.test(s))}`;
  const tfs = splitList(f.timeframes);
  if (tfs.length === 0) errors.timeframes = 'At least one timeframe must be specified';
  else if (tfs.some((t) => !(TIMEFRAMES as readonly string[]).includes(t)))
    errors.timeframes = `Unknown timeframe: ${tfs.find((t) => !(TIMEFRAMES as readonly string[]).includes(t))} (use ${TIMEFRAMES.join(', ')})`;
  checkDates(f.start_date, f.end_date, errors, false);
  return errors;
}

/** A portfolio's settings in a start form: the Backtests form given several symbols, an experiment's backtest section. */
export interface PortfolioFormFields {
  sizing: SizingRuleType;
  /** The rule's headline parameter (SIZING_PARAMETER); empty: its default. */
  sizing_value: string;
  max_gross: string;
  rebalance: '' | 'day' | 'week' | 'month';
}

export const DEFAULT_PORTFOLIO_FIELDS: PortfolioFormFields = { sizing: 'equal_weight', sizing_value: '', max_gross: '1', rebalance: '' };

export interface BacktestForm extends PortfolioFormFields {
  strategy_name: string;
  model_path: string;
  /** One symbol, or several (comma- or space-separated): a portfolio with one cash account. */
  symbol: string;
  timeframe: string;
  start_date: string;
  end_date: string;
  initial_capital: string;
  commission: string;
  slippage: string;
}

function checkNumber(value: string, field: string, label: string, errors: FieldErrors, min: number, max: number, exclusiveMin = false): void {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) errors[field] = `${label} must be a number`;
  else if (exclusiveMin ? n <= min : n < min) errors[field] = `${label} must be ${exclusiveMin ? 'greater than' : 'at least'} ${min}`;
  else if (n > max) errors[field] = `${label} must be at most ${max}`;
}

/** The portfolio fields' errors, under their own keys (sizing_value, max_gross), with the server's bounds. */
export function checkPortfolioFields(p: PortfolioFormFields, errors: FieldErrors): void {
  const param = SIZING_PARAMETER[p.sizing];
  if (param && p.sizing_value.trim() !== '') checkNumber(p.sizing_value, 'sizing_value', param.label, errors, 0, param.max, true);
  checkNumber(p.max_gross, 'max_gross', 'Max gross exposure', errors, 0, 10, true);
}

/** The request's portfolio settings (POST /backtests/portfolio/start, an experiment's backtest.portfolio). */
export function portfolioSettings(p: PortfolioFormFields): { sizing: Record<string, unknown>; max_gross_exposure: number; rebalance?: string } {
  const param = SIZING_PARAMETER[p.sizing];
  const sizing: Record<string, unknown> = { type: p.sizing };
  if (param && p.sizing_value.trim() !== '') sizing[param.key] = Number(p.sizing_value);
  return { sizing, max_gross_exposure: Number(p.max_gross), ...(p.rebalance ? { rebalance: p.rebalance } : {}) };
}

export function validateBacktestForm(f: BacktestForm): FieldErrors {
  const errors: FieldErrors = {};
  if (!f.strategy_name) errors.strategy_name = 'Choose a strategy';
  const symbols = splitList(f.symbol, true);
  if (!symbols.length) errors.symbol = 'Symbol is required';
  else if (symbols.some((s) => !SYMBOL.test(s))) errors.symbol = symbols.length === 1 ? 'Invalid symbol' : `Invalid symbol: ${symbols.find((s) => !SYMBOL.test(s))}`;
  if (!(TIMEFRAMES as readonly string[]).includes(f.timeframe)) errors.timeframe = 'Choose a timeframe';
  checkDates(f.start_date, f.end_date, errors, true);
  checkNumber(f.initial_capital, 'initial_capital', 'Capital', errors, 0, 1e12, true);
  // Empty = the instrument's cost model; a number = KTRDR's fraction model (see docs/instruments.md).
  if (f.commission.trim() !== '') checkNumber(f.commission, 'commission', 'Commission', errors, 0, 0.1);
  if (f.slippage.trim() !== '') checkNumber(f.slippage, 'slippage', 'Slippage', errors, 0, 0.1);
  if (symbols.length > 1) checkPortfolioFields(f, errors);
  return errors;
}

/**
 * The Backtests form's request: one symbol is KTRDR's POST /backtests/start; several are one
 * portfolio (POST /backtests/portfolio/start) with the form's sizing, cap and rebalancing.
 */
export function backtestStartRequest(f: BacktestForm): { path: string; body: Record<string, unknown>; symbol: string } {
  const symbols = splitList(f.symbol, true);
  const body: Record<string, unknown> = { strategy_name: f.strategy_name, timeframe: f.timeframe, start_date: f.start_date, end_date: f.end_date, initial_capital: Number(f.initial_capital) };
  // Left empty, the server charges the instrument's costs (spread, slippage, commission model).
  if (f.commission.trim() !== '') body.commission = Number(f.commission);
  if (f.slippage.trim() !== '') body.slippage = Number(f.slippage);
  if (f.model_path) body.model_path = f.model_path;
  if (symbols.length === 1) return { path: '/backtests/start', body: { ...body, symbol: symbols[0] }, symbol: symbols[0] };
  return { path: '/backtests/portfolio/start', body: { ...body, symbols, ...portfolioSettings(f) }, symbol: symbols.join(',') };
}

/** The experiment form's backtest fields. */
export interface BacktestSectionFields {
  initial_capital: string;
  commission: string;
  slippage: string;
  spread_pips: string;
  /** The portfolio's legs (empty: the trained symbols). */
  legs: string;
}

/**
 * The request's `backtest` section. Empty cost fields: the instrument's and the strategy's costs, as
 * for a standalone backtest; `portfolio` given: every fold's / trial's backtest is one portfolio.
 */
export function experimentBacktestSection(f: BacktestSectionFields, portfolio: PortfolioFormFields | null): Record<string, unknown> {
  const b: Record<string, unknown> = { initial_capital: Number(f.initial_capital) };
  if (f.commission.trim() !== '') b.commission = Number(f.commission);
  if (f.slippage.trim() !== '') b.slippage = Number(f.slippage);
  if (f.spread_pips.trim() !== '') b.costs = { spread_pips: Number(f.spread_pips) };
  if (portfolio) {
    const legs = splitList(f.legs, true);
    b.portfolio = { ...(legs.length ? { symbols: legs } : {}), ...portfolioSettings(portfolio) };
  }
  return b;
}

/** The server's 4xx body as field errors (422 details) plus a general message. */
export function serverErrors(body: unknown, fallback: string): { fields: FieldErrors; message: string } {
  const b = body as { detail?: unknown; error?: { message?: string; details?: { field?: string; message?: string }[] } } | null;
  const fields: FieldErrors = {};
  for (const d of b?.error?.details ?? []) {
    const key = String(d.field ?? '').replace(/^body\.?/, '').split('.')[0];
    if (key) fields[key] = d.message ?? 'invalid';
  }
  let message = fallback;
  if (typeof b?.detail === 'string') message = b.detail;
  else if (b?.detail && typeof b.detail === 'object') message = String((b.detail as { message?: unknown }).message ?? JSON.stringify(b.detail));
  else if (b?.error?.message) message = b.error.message;
  return { fields, message };
}
