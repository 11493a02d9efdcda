// Readers of the REST answers the views use (DESIGN.md §4, KTRDR shapes). Answers about data,
// strategies and models are read tolerantly (the documented shape plus KTRDR's small variations; a
// missing field gives an empty state). RESULTS are not: a backtest's trades and equity curve are
// parsed by the result contract (src/shared/results), so a renamed field is an error, not a blank.
import { equityCurveResponseSchema, tradesResponseSchema, type BacktestTrade, type EquityCurveResponse } from '../../../shared/results/backtest';
import { parseWith } from '../../../shared/results/common';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The list inside an envelope: `{data:[…]}`, `{<key>:[…]}`, `{data:{<key>:[…]}}` or a bare array. */
export function listIn(body: unknown, key: string): unknown[] {
  if (Array.isArray(body)) return body;
  const b = obj(body);
  if (Array.isArray(b[key])) return b[key] as unknown[];
  if (Array.isArray(b.data)) return b.data as unknown[];
  const d = obj(b.data);
  if (Array.isArray(d[key])) return d[key] as unknown[];
  return [];
}

export interface DataSeriesInfo {
  symbol: string;
  timeframe: string;
  start_date: string | null;
  end_date: string | null;
  point_count: number | null;
  /** Who produced the bars (sample, csv, dukascopy, synthetic…), when the listing says. */
  source?: string | null;
  /** Generated bars, not market data: marked wherever they are used. */
  synthetic?: boolean;
}

export interface SymbolInfo {
  symbol: string;
  name: string | null;
  timeframes: string[];
  /** Per-timeframe ranges when the listing carries them. */
  series: DataSeriesInfo[];
}

function seriesOf(symbol: string, v: unknown, tfKey?: string): DataSeriesInfo | null {
  const o = obj(v);
  const timeframe = str(o.timeframe) ?? tfKey ?? null;
  if (!timeframe) return null;
  return {
    symbol,
    timeframe,
    start_date: str(o.start_date) ?? str(o.start),
    end_date: str(o.end_date) ?? str(o.end),
    point_count: num(o.point_count) ?? num(o.count) ?? num(o.bars) ?? num(o.bar_count) ?? num(o.rows) ?? num(o.points),
    ...(str(o.source) ? { source: str(o.source) } : {}),
    ...(o.synthetic === true ? { synthetic: true } : {}),
  };
}

/** `GET /data/info` → `data.series[{symbol, timeframe, start, end, count}]`: every stored series at once. */
export function parseDataInfoSeries(body: unknown): DataSeriesInfo[] | null {
  const series = obj(obj(body).data).series;
  if (!Array.isArray(series)) return null;
  return series
    .map((x) => {
      const symbol = str(obj(x).symbol);
      return symbol ? seriesOf(symbol, x) : null;
    })
    .filter((x): x is DataSeriesInfo => !!x)
    .sort((a, b) => a.symbol.localeCompare(b.symbol) || a.timeframe.localeCompare(b.timeframe));
}

/** `GET /symbols` → `{data:[{symbol, name, available_timeframes[], …}]}` (ranges per timeframe when present). */
export function parseSymbols(body: unknown): SymbolInfo[] {
  const out: SymbolInfo[] = [];
  for (const item of listIn(body, 'symbols')) {
    const o = typeof item === 'string' ? { symbol: item } : obj(item);
    const symbol = str(o.symbol);
    if (!symbol) continue;
    const series: DataSeriesInfo[] = [];
    const add = (s: DataSeriesInfo | null) => void (s && series.push(s));
    for (const key of ['series', 'ranges', 'timeframes']) {
      const v = o[key];
      if (Array.isArray(v)) v.forEach((s) => typeof s === 'object' && add(seriesOf(symbol, s)));
      else if (v && typeof v === 'object') Object.entries(v).forEach(([tf, s]) => add(seriesOf(symbol, s, tf)));
    }
    const tfs = new Set<string>(arr(o.available_timeframes).map(String));
    for (const v of arr(o.timeframes)) if (typeof v === 'string') tfs.add(v);
    for (const s of series) tfs.add(s.timeframe);
    out.push({ symbol, name: str(o.name), timeframes: [...tfs], series });
  }
  return out.sort((a, b) => a.symbol.localeCompare(b.symbol));
}

/** `POST /data/range` → `{data:{symbol,timeframe,start_date,end_date,point_count}}`. */
export function parseRange(body: unknown, symbol: string, timeframe: string): DataSeriesInfo {
  return seriesOf(symbol, obj(obj(body).data ?? body), timeframe) ?? { symbol, timeframe, start_date: null, end_date: null, point_count: null };
}

export interface Bars {
  dates: string[];
  ohlcv: number[][];
}

/** `GET /data/{symbol}/{tf}` → `{data:{dates[], ohlcv[[o,h,l,c,v]], metadata}}`. */
export function parseBars(body: unknown): Bars {
  const d = obj(obj(body).data ?? body);
  return { dates: arr(d.dates).map(String), ohlcv: arr(d.ohlcv) as number[][] };
}

export interface Gap {
  start: string;
  end: string;
  missing: number | null;
  kind: string | null;
}

/** `GET /data/{symbol}/{tf}/gaps` → `{data:{gaps:[{start, end, missing_bars, …}]}}`. */
export function parseGaps(body: unknown): Gap[] {
  return listIn(body, 'gaps').map((g) => {
    const o = obj(g);
    return {
      start: str(o.start) ?? str(o.start_time) ?? str(o.start_date) ?? str(o.from) ?? '',
      end: str(o.end) ?? str(o.end_time) ?? str(o.end_date) ?? str(o.to) ?? '',
      missing: num(o.missing_bars) ?? num(o.bars_missing) ?? num(o.missing) ?? num(o.bars),
      kind: str(o.kind) ?? str(o.type) ?? str(o.classification) ?? str(o.gap_type),
    };
  });
}

export interface StrategyInfo {
  name: string;
  description: string | null;
  symbol: string | null;
  timeframe: string | null;
  symbols: string[];
  timeframes: string[];
  training_status: string | null;
  versions: number[];
  /** 'user' files are editable; 'bundled' samples are read-only ("Save as" copies them). */
  source: 'user' | 'bundled' | null;
}

function oneStrategy(v: unknown): StrategyInfo | null {
  const o = obj(v);
  const name = str(o.name) ?? str(o.strategy_name);
  if (!name) return null;
  const symbols = arr(o.symbols).map(String);
  const timeframes = arr(o.timeframes).map(String);
  const symbol = str(o.symbol) ?? symbols[0] ?? null;
  const timeframe = str(o.timeframe) ?? timeframes[0] ?? null;
  return {
    name,
    description: str(o.description),
    symbol,
    timeframe,
    symbols: symbols.length ? symbols : symbol ? [symbol] : [],
    timeframes: timeframes.length ? timeframes : timeframe ? [timeframe] : [],
    training_status: str(o.training_status),
    versions: arr(o.available_versions).filter((x): x is number => typeof x === 'number'),
    source: o.source === 'user' || o.source === 'bundled' ? o.source : null,
  };
}

/** `GET /strategies/` → `{strategies:[StrategyInfo]}`. */
export function parseStrategies(body: unknown): StrategyInfo[] {
  return listIn(body, 'strategies')
    .map(oneStrategy)
    .filter((s): s is StrategyInfo => !!s);
}

export interface StrategyDetail {
  info: StrategyInfo | null;
  /** The YAML text when the server sends it. */
  yaml: string | null;
  features: string[];
}

/** `GET /strategies/{name}` → a StrategyInfo (KTRDR), possibly with the YAML text and resolved features. */
export function parseStrategyDetail(body: unknown): StrategyDetail {
  const b = obj(body);
  const core = obj(b.strategy ?? b.data ?? body);
  const yaml = str(core.yaml) ?? str(core.content) ?? str(core.yaml_content) ?? str(b.yaml) ?? str(b.content);
  return { info: oneStrategy(core) ?? oneStrategy(b), yaml, features: parseFeatures(core.features ?? b.features ?? core.resolved_features) };
}

/** `GET /strategies/{name}/features` → `{features:[{feature_id,…}]}` or plain names. */
export function parseFeatures(v: unknown): string[] {
  const list = Array.isArray(v) ? v : listIn(v, 'features');
  return list.map((f) => (typeof f === 'string' ? f : (str(obj(f).feature_id) ?? str(obj(f).name) ?? ''))).filter(Boolean);
}

export interface ValidationIssue {
  severity: 'error' | 'warning' | 'info';
  message: string;
  line: number | null;
  column: number | null;
  path: string | null;
}

/** `POST /strategies/validate` → `{valid, issues[{severity, message, line?, column?, details?}]}`. */
export function parseValidation(body: unknown): { valid: boolean; issues: ValidationIssue[]; message: string | null } {
  const b = obj(body);
  const issues = arr(b.issues ?? b.errors).map((i): ValidationIssue => {
    const o = typeof i === 'string' ? { message: i } : obj(i);
    const d = obj(o.details);
    const sev = String(o.severity ?? 'error').toLowerCase();
    return {
      severity: sev === 'warning' || sev === 'info' ? sev : 'error',
      message: str(o.message) ?? JSON.stringify(o),
      line: num(o.line) ?? num(d.line),
      column: num(o.column) ?? num(d.column) ?? num(o.col),
      path: str(o.path) ?? str(o.field) ?? str(d.path) ?? str(o.category),
    };
  });
  const valid = typeof b.valid === 'boolean' ? b.valid : !issues.some((i) => i.severity === 'error');
  return { valid, issues, message: str(b.message) };
}

export interface ModelInfo {
  /** What `POST /backtests/start` takes as model_path. */
  path: string;
  strategy: string | null;
  timeframe: string | null;
  version: number | null;
  created_at: string | null;
  label: string;
}

/** `GET /models` → `{models:[{strategy_name|strategy, timeframe, version, created_at, path|model_path}]}`. */
export function parseModels(body: unknown): ModelInfo[] {
  return listIn(body, 'models')
    .map((m): ModelInfo | null => {
      const o = obj(m);
      const strategy = str(o.strategy_name) ?? str(o.strategy);
      const timeframe = str(o.timeframe);
      const version = num(o.version);
      const path = str(o.model_path) ?? str(o.path) ?? (strategy && timeframe && version !== null ? `models/${strategy}/${timeframe}_v${version}` : null);
      if (!path) return null;
      const label = strategy ? `${strategy} · ${timeframe ?? '?'} · v${version ?? '?'}` : path;
      return { path, strategy, timeframe, version, created_at: str(o.created_at), label };
    })
    .filter((m): m is ModelInfo => !!m);
}

/** A trade as the trades table shows it (the contract's trade plus a string id for selection). */
export interface Trade {
  id: string;
  side: string;
  entry_time: string;
  exit_time: string | null;
  entry_price: number | null;
  exit_price: number | null;
  quantity: number | null;
  pnl: number | null;
  pnl_percent: number | null;
  /** The full trade (excursions, costs, exit reason); absent only in hand-made test rows. */
  raw?: BacktestTrade;
}

/** `GET /backtests/{id}/trades` → the contract's trades (throws a ResultContractError naming what is wrong). */
export function parseTrades(body: unknown): Trade[] {
  return parseWith('backtest trades', tradesResponseSchema, body).trades.map((t) => ({
    id: String(t.trade_id),
    side: t.side.toUpperCase(),
    entry_time: t.entry_time,
    exit_time: t.exit_time,
    entry_price: t.entry_price,
    exit_price: t.exit_price,
    quantity: t.quantity,
    pnl: t.net_pnl,
    pnl_percent: t.pnl_percent,
    raw: t,
  }));
}

export type EquityCurve = EquityCurveResponse;

/** `GET /backtests/{id}/equity_curve` → the curve (throws a ResultContractError naming what is wrong). */
export function parseEquityCurve(body: unknown): EquityCurve {
  return parseWith('backtest equity curve', equityCurveResponseSchema, body);
}

/** A value as a plain object (for result sections), or null. */
export function section(v: unknown): Obj | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null;
}
