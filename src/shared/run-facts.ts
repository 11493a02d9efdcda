// What tells one run from another: strategy, symbols, timeframes, date range and key settings, read
// from an operation's metadata (trainings keep them in metadata.parameters, backtests at the top).
// Shared by the renderer (Recent lists, Operations columns) and the CLI (`operations list`).

export interface RunFacts {
  strategy: string | null;
  symbols: string | null;
  timeframes: string | null;
  start: string | null;
  end: string | null;
  /** Short "key=value" settings that tell runs of the same strategy apart. */
  settings: string[];
  model: string | null;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const text = (v: unknown): string | null => (Array.isArray(v) ? (v.length ? v.join(',') : null) : typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null);
const day = (v: unknown): string | null => {
  const s = text(v);
  return s ? s.slice(0, 10) : null;
};

export function runFacts(op: { operation_type?: string; metadata?: unknown; symbol?: string | null }): RunFacts {
  const meta = obj(op.metadata);
  const p = obj(meta.parameters);
  const settings: string[] = [];
  if (typeof p.total_epochs === 'number') settings.push(`epochs=${p.total_epochs}`);
  if (typeof p.model_type === 'string') settings.push(p.model_type);
  if (typeof p.seed === 'number') settings.push(`seed=${p.seed}`);
  if (typeof p.commission === 'number') settings.push(`comm=${p.commission}`);
  if (typeof p.slippage === 'number') settings.push(`slip=${p.slippage}`);
  if (typeof p.initial_capital === 'number') settings.push(`capital=${p.initial_capital.toLocaleString('en-US')}`);
  const model = text(p.model_path);
  return {
    strategy: text(meta.strategy_name) ?? text(p.strategy_name),
    symbols: text(p.symbols) ?? text(meta.symbol) ?? text(op.symbol),
    timeframes: text(p.timeframes) ?? text(meta.timeframe) ?? text(p.timeframe),
    start: day(meta.start_date) ?? day(p.start_date),
    end: day(meta.end_date) ?? day(p.end_date),
    settings,
    model: model ? model.replace(/^models\//, '') : null,
  };
}

/** "neuro_mean_reversion · EURUSD 1h · 2018-01-01→2018-06-30" (parts that are unknown are left out). */
export function runLabel(op: Parameters<typeof runFacts>[0], opts: { settings?: boolean; strategy?: boolean } = {}): string {
  const f = runFacts(op);
  const range = f.start || f.end ? `${f.start ?? '…'}→${f.end ?? '…'}` : null;
  const data = [f.symbols, f.timeframes].filter(Boolean).join(' ');
  const parts = [opts.strategy === false ? null : f.strategy, data || null, range];
  if (opts.settings) {
    if (f.model) parts.push(f.model);
    if (f.settings.length) parts.push(f.settings.join(' '));
  }
  return parts.filter(Boolean).join(' · ');
}
