// Client-side checks of the start forms, mirroring the server's rules so most mistakes are caught
// before a request; the server's 4xx answer is still shown next to the form.

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

export interface BacktestForm {
  strategy_name: string;
  model_path: string;
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

export function validateBacktestForm(f: BacktestForm): FieldErrors {
  const errors: FieldErrors = {};
  if (!f.strategy_name) errors.strategy_name = 'Choose a strategy';
  if (!f.symbol.trim()) errors.symbol = 'Symbol is required';
  else if (!SYMBOL.test(f.symbol.trim())) errors.symbol = 'Invalid symbol';
  if (!(TIMEFRAMES as readonly string[]).includes(f.timeframe)) errors.timeframe = 'Choose a timeframe';
  checkDates(f.start_date, f.end_date, errors, true);
  checkNumber(f.initial_capital, 'initial_capital', 'Capital', errors, 0, 1e12, true);
  // Empty = the instrument's cost model; a number = KTRDR's fraction model (see docs/instruments.md).
  if (f.commission.trim() !== '') checkNumber(f.commission, 'commission', 'Commission', errors, 0, 0.1);
  if (f.slippage.trim() !== '') checkNumber(f.slippage, 'slippage', 'Slippage', errors, 0, 0.1);
  return errors;
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
