// One convention for every command's options (issue 27): dates are `--start`/`--end` (inclusive, the
// KTRDR spellings `--start-date`/`--end-date` still work, hidden), every command takes `--json`,
// every command that starts an operation follows it only with `-f/--follow`, and a request field the
// server complains about is named by the flag the user typed (fieldFlags below).
import { Option, type Command } from 'commander';
import { KNOWN_TIMEFRAMES, timeframeMs } from '../shared/timeframes';

export interface DateRangeValues {
  start?: string;
  end?: string;
  startDate?: string;
  endDate?: string;
}

/** `--start`/`--end` (inclusive days), plus the hidden KTRDR aliases `--start-date`/`--end-date`. */
export function dateRangeOptions(cmd: Command, what = 'day'): Command {
  return cmd
    .option('--start <date>', `first ${what} (YYYY-MM-DD or ISO 8601)`)
    .option('--end <date>', `last ${what}, inclusive (YYYY-MM-DD or ISO 8601)`)
    .addOption(new Option('--start-date <date>', 'same as --start').hideHelp())
    .addOption(new Option('--end-date <date>', 'same as --end').hideHelp());
}

/** The range typed with either spelling; both spellings with different values is an error. */
export function dateRange(o: DateRangeValues, required = false): { start?: string; end?: string } {
  const pick = (a: string | undefined, b: string | undefined, flag: string, alias: string) => {
    if (a !== undefined && b !== undefined && a !== b) throw new UsageError(`${flag} and ${alias} disagree ('${a}' vs '${b}'): give one`);
    return a ?? b;
  };
  const start = pick(o.start, o.startDate, '--start', '--start-date');
  const end = pick(o.end, o.endDate, '--end', '--end-date');
  if (required && (!start || !end)) throw new UsageError(`${[!start && '--start', !end && '--end'].filter(Boolean).join(' and ')} ${!start && !end ? 'are' : 'is'} required`);
  return { start, end };
}

export function jsonOption(cmd: Command, what = 'print JSON'): Command {
  return cmd.option('--json', what);
}

/** `-f, --follow` (and a hidden `--no-follow`, a no-op kept for scripts that used to pass it). */
export function followOption(cmd: Command): Command {
  return cmd.option('-f, --follow', 'follow it until it ends: a progress line on a terminal, plain lines otherwise; Ctrl+C cancels it').addOption(new Option('--no-follow', 'print the operation id and return (the default)').hideHelp());
}

/** A mistake in how a command was typed: exit code 2, like commander's own usage errors. */
export class UsageError extends Error {}

/** "a,b" or repeated flags → ['a', 'b']. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** Checks timeframes typed after `flag`: each must be a number and a unit (1m, 4h, 1d, 1w). */
export function checkTimeframes(list: string[] | undefined, flag: string): string[] | undefined {
  if (!list) return list;
  const bad = list.filter((t) => timeframeMs(t) === null);
  if (bad.length) throw new UsageError(`${flag}: ${bad.map((t) => `'${t}'`).join(', ')} ${bad.length === 1 ? 'is not a timeframe' : 'are not timeframes'}: write a number and a unit m/h/d/w, e.g. ${KNOWN_TIMEFRAMES.join(', ')}`);
  return list;
}

export function positiveInt(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got '${raw}'`);
  return n;
}

// ── request fields → the flag that sets them ─────────────────────────────────────────────────────

/** Request field (as the server names it in an error) → how the user sets it on the command line. */
export type FieldFlags = Record<string, string>;

const DECLARED = new WeakMap<Command, FieldFlags>();

/** Fields every command shares. A command adds its own (e.g. `symbol: 'SYMBOL'` for a positional). */
const COMMON_FIELDS: FieldFlags = {
  start_date: '--start',
  end_date: '--end',
  symbols: '--symbols',
  timeframes: '--timeframes',
  symbol: '--symbol',
  timeframe: '--timeframe',
  strategy_name: 'STRATEGY',
  model_path: '--model-path',
  initial_capital: '--capital',
  commission: '--commission',
  slippage: '--slippage',
  'costs.spread_pips': '--spread-pips',
  random_runs: '--random-runs',
  random_seed: '--random-seed',
  keep_valid_rows: '--keep-valid-rows',
  timezone: '--timezone',
  mode: '--mode',
  source: '--source',
  seed: '--seed',
  path: '--path',
  dir: '--path',
  max_parallel: '--max-parallel',
  train_window: '--train',
  test_window: '--test',
  embargo_bars: '--embargo',
  holdout: '--holdout',
  trials: '--trials',
  sampler: '--sampler',
  objective: '--objective',
  space: '--param',
  'space.': '--param ',
};

/** Declares how a command's request fields are typed (merged over the common names). */
export function fieldFlags(cmd: Command, flags: FieldFlags): Command {
  DECLARED.set(cmd, flags);
  return cmd;
}

/** The flags of `cmd` (its own over the common ones), each spelled as the user typed it in argv. */
export function flagsFor(cmd: Command | null, argv: readonly string[]): FieldFlags {
  const out: FieldFlags = { ...COMMON_FIELDS, ...(cmd ? DECLARED.get(cmd) : undefined) };
  const typed = new Set(argv.map((a) => a.split('=')[0]));
  // The KTRDR spellings, when that is what was typed.
  if (typed.has('--start-date') && !typed.has('--start')) out.start_date = '--start-date';
  if (typed.has('--end-date') && !typed.has('--end')) out.end_date = '--end-date';
  return out;
}

/**
 * An API error in the words of the command line: `querystring.end_date: must be after start_date`
 * → `--end: must be after --start`. A field slot is mapped whole (any `body.`/`querystring.` prefix
 * and index suffix dropped); inside sentences only snake_case or dotted field names are replaced, so
 * that prose ("the symbol is not stored") stays prose.
 */
export function describeApiProblem(body: unknown, fallback: string, flags: FieldFlags): string {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = (fields: string[]) => new RegExp(`(?<![\\w.-])(?:body\\.|querystring\\.|params\\.|path\\.)?(${fields.sort((a, b) => b.length - a.length).map(esc).join('|')})(?:\\.\\d+)?(?![\\w.-])`, 'g');
  const names = Object.keys(flags).filter((f) => !f.endsWith('.'));
  const all = pattern(names);
  const technical = pattern(names.filter((f) => /[_.]/.test(f)));
  // Keys ending in '.' are prefixes: `space.` → `--param ` turns `space.indicators.rsi.period` into `--param indicators.rsi.period`.
  const prefixes = (s: string) => Object.keys(flags).filter((f) => f.endsWith('.')).reduce((t, p) => t.replace(new RegExp(`(?<![\\w.-])(?:body\\.)?${esc(p)}(?=\\w)`, 'g'), flags[p]), s);
  const field = (s: string) => prefixes(s).replace(all, (_m, f: string) => flags[f] ?? f);
  const words = (s: string) => prefixes(s).replace(technical, (_m, f: string) => flags[f] ?? f);
  const b = (body && typeof body === 'object' ? body : {}) as { detail?: unknown; error?: { message?: string; details?: { field: string; message: string }[] } };
  if (typeof b.detail === 'string') return words(b.detail);
  if (b.error?.details?.length) return b.error.details.map((d) => `${field(d.field)}: ${words(d.message)}`).join('; ');
  if (b.error?.message) return words(b.error.message);
  if (b.detail) return words(JSON.stringify(b.detail));
  return words(fallback);
}

/**
 * The options of a subcommand that repeats options of its parent (`backtest run` and `backtest
 * portfolio` under `backtest`): commander gives the parent what was typed for an option both declare,
 * so those the user typed are taken from the parent.
 */
export function withParentOptions<T extends object>(cmd: Command, local: T): T & Record<string, unknown> {
  const o = { ...local } as Record<string, unknown>;
  const parent = cmd.parent;
  if (!parent) return o as T & Record<string, unknown>;
  const own = new Set(cmd.options.map((opt) => opt.attributeName()));
  for (const opt of parent.options) {
    const key = opt.attributeName();
    if (own.has(key) && parent.getOptionValueSource(key) === 'cli') o[key] = parent.getOptionValue(key);
  }
  return o as T & Record<string, unknown>;
}
