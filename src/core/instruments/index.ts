// Trading costs that match the instrument. A table of the bundled symbols, a rule for any other one
// (six letters made of two ISO currency codes → FX; anything else → US equity), and overrides from
// the strategy YAML (`costs:`) and the backtest request (`costs: {...}`, or KTRDR's legacy
// `commission`/`slippage` fractions). The result is an EngineCosts the backtest engine charges:
//   - half the bid-ask spread on every fill, as a price adjustment (buy at ask, sell at bid);
//   - slippage on every fill, in price units and/or as a fraction of price, against the trade;
//   - commission by model: fraction of notional, per share (with a minimum and a cap), or per lot.
// Documented in docs/instruments.md.
import { z } from 'zod';

export type AssetClass = 'fx' | 'equity';

export type CommissionModel =
  /** Fraction of notional, per side (KTRDR's model). */
  | { type: 'fraction'; rate: number }
  /** Currency per share per side, at least `minimum` per order, at most `maximum_fraction` of notional (0 = no cap). */
  | { type: 'per_share'; per_share: number; minimum: number; maximum_fraction: number }
  /** Currency per lot of `lot_size` units, per side, pro rata for part lots. */
  | { type: 'per_lot'; per_lot: number; lot_size: number };

/** What the engine charges (all in the instrument's quote currency). */
export interface EngineCosts {
  /** Full bid-ask spread in price units; half is paid on each fill. */
  spread: number;
  /** Slippage per fill in price units, against the trade. */
  slippage: number;
  /** Slippage per fill as a fraction of price, against the trade (KTRDR's slippage). */
  slippage_fraction: number;
  commission: CommissionModel;
}

export interface Instrument {
  symbol: string;
  asset_class: AssetClass;
  /** Price step of one pip (FX) or one cent (equities). */
  pip_size: number;
  /** Currency the PnL is in: the quote currency (FX) or USD (US equities). */
  currency: string;
  costs: EngineCosts;
  /** Where the costs come from: a table row or the rule for unknown symbols. */
  source: 'table' | 'rule';
}

const FX_CURRENCIES = new Set(['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'AUD', 'NZD', 'CAD', 'SEK', 'NOK', 'DKK', 'SGD', 'HKD', 'MXN', 'ZAR', 'PLN', 'CZK', 'HUF', 'TRY', 'CNH', 'ILS']);

const NO_COMMISSION: CommissionModel = { type: 'fraction', rate: 0 };
/** IBKR-style fixed US equity commission: $0.005/share, $1 minimum, capped at 1 % of trade value. */
export const US_EQUITY_COMMISSION: CommissionModel = { type: 'per_share', per_share: 0.005, minimum: 1, maximum_fraction: 0.01 };

function fx(symbol: string, spreadPips: number, slippagePips: number): Instrument {
  const pip = symbol.endsWith('JPY') ? 0.01 : 0.0001;
  return { symbol, asset_class: 'fx', pip_size: pip, currency: symbol.slice(3), source: 'table', costs: { spread: spreadPips * pip, slippage: slippagePips * pip, slippage_fraction: 0, commission: NO_COMMISSION } };
}

function equity(symbol: string, spread: number, slippage: number): Instrument {
  return { symbol, asset_class: 'equity', pip_size: 0.01, currency: 'USD', source: 'table', costs: { spread, slippage, slippage_fraction: 0, commission: US_EQUITY_COMMISSION } };
}

/** Typical retail/ECN costs of the bundled and common symbols (spread in pips, slippage in pips per fill). */
const TABLE: Record<string, Instrument> = Object.fromEntries(
  [
    fx('EURUSD', 0.6, 0.1),
    fx('USDJPY', 0.7, 0.1),
    fx('GBPUSD', 0.9, 0.1),
    fx('AUDUSD', 0.8, 0.1),
    fx('USDCHF', 1.0, 0.1),
    fx('USDCAD', 1.0, 0.1),
    fx('NZDUSD', 1.0, 0.1),
    fx('EURGBP', 1.0, 0.1),
    fx('EURJPY', 1.0, 0.1),
    // Liquid US names: one-cent spread, one cent of slippage per fill.
    equity('AAPL', 0.01, 0.01),
    equity('SPY', 0.01, 0.01),
    equity('QQQ', 0.01, 0.01),
    equity('MSFT', 0.01, 0.01),
  ].map((i) => [i.symbol, i]),
);

/** Six letters made of two known currency codes (EURUSD, GBPJPY, …). */
export function looksLikeFxPair(symbol: string): boolean {
  const s = symbol.toUpperCase();
  return /^[A-Z]{6}$/.test(s) && FX_CURRENCIES.has(s.slice(0, 3)) && FX_CURRENCIES.has(s.slice(3)) && s.slice(0, 3) !== s.slice(3);
}

/** The table row, or the rule: FX-looking pairs get 1 pip spread and 0.2 pip slippage; anything else is a US equity with a 2-cent spread. */
export function instrumentFor(symbol: string): Instrument {
  const s = symbol.toUpperCase();
  const row = TABLE[s];
  if (row) return row;
  if (looksLikeFxPair(s)) return { ...fx(s, 1.0, 0.2), source: 'rule' };
  return { ...equity(s, 0.02, 0.01), source: 'rule' };
}

export function knownInstruments(): Instrument[] {
  return Object.values(TABLE);
}

// ---- overrides (strategy YAML `costs:` and the request's `costs`) ----------------------------------

const nonNeg = z.number().min(0).max(1e9);
const frac = z.number().min(0).max(0.5);

function commissionSchema(strict: boolean) {
  const obj = <T extends z.ZodRawShape>(shape: T) => (strict ? z.object(shape).strict() : z.object(shape));
  return z.discriminatedUnion('type', [
    obj({ type: z.literal('fraction'), rate: frac }),
    obj({ type: z.literal('per_share'), per_share: nonNeg, minimum: nonNeg.default(0), maximum_fraction: frac.default(0) }),
    obj({ type: z.literal('per_lot'), per_lot: nonNeg, lot_size: z.number().gt(0).max(1e12).default(100_000) }),
  ]);
}

/**
 * Every field optional; spread/slippage in price units or in pips (pips use the instrument's pip
 * size). Strict for the REST request (an unknown key is a 422 naming it); the strategy file uses the
 * lenient form, where unknown keys become warnings (core/strategy/keys.ts).
 */
export function costOverrides(strict: boolean) {
  const shape = {
    spread: nonNeg.optional(),
    spread_pips: nonNeg.optional(),
    slippage: nonNeg.optional(),
    slippage_pips: nonNeg.optional(),
    slippage_fraction: frac.optional(),
    commission: commissionSchema(strict).optional(),
  };
  return (strict ? z.object(shape).strict() : z.object(shape))
    .refine((o) => o.spread === undefined || o.spread_pips === undefined, { message: 'give spread or spread_pips, not both', path: ['spread_pips'] })
    .refine((o) => o.slippage === undefined || o.slippage_pips === undefined, { message: 'give slippage or slippage_pips, not both', path: ['slippage_pips'] });
}

export const costOverridesSchema = costOverrides(false);

export type CostOverrides = z.output<typeof costOverridesSchema>;

/** Keys of the `costs:` section, for the strategy key check (warnings for unknown keys). */
export const COST_OVERRIDE_KEYS = ['spread', 'spread_pips', 'slippage', 'slippage_pips', 'slippage_fraction', 'commission'] as const;
export const COMMISSION_KEYS = ['type', 'rate', 'per_share', 'minimum', 'maximum_fraction', 'per_lot', 'lot_size'] as const;

export function applyOverrides(base: EngineCosts, o: CostOverrides | null | undefined, pipSize: number): EngineCosts {
  if (!o) return base;
  return {
    spread: o.spread ?? (o.spread_pips !== undefined ? o.spread_pips * pipSize : base.spread),
    slippage: o.slippage ?? (o.slippage_pips !== undefined ? o.slippage_pips * pipSize : base.slippage),
    slippage_fraction: o.slippage_fraction ?? base.slippage_fraction,
    commission: o.commission ?? base.commission,
  };
}

/** KTRDR's defaults: 0.1 % commission and 0.1 % slippage per side, no spread. */
export const KTRDR_COMMISSION = 0.001;
export const KTRDR_SLIPPAGE = 0.001;

export interface ResolvedCosts {
  costs: EngineCosts;
  /** 'instrument' | 'instrument+strategy' | 'legacy_fraction' (+request) …: which layers shaped the costs. */
  model: string;
  currency: string;
  asset_class: AssetClass;
  pip_size: number;
}

/**
 * Precedence, lowest first: the instrument's defaults → the strategy's `costs:` → the request's legacy
 * `commission`/`slippage` (when either is given the whole model becomes KTRDR's: those fractions,
 * KTRDR's default for the one not given, and no spread) → the request's `costs`.
 */
export function resolveCosts(
  symbol: string,
  opts: { strategy?: CostOverrides | null; legacy?: { commission?: number | null; slippage?: number | null } | null; request?: CostOverrides | null },
): ResolvedCosts {
  const inst = instrumentFor(symbol);
  let costs = inst.costs;
  const layers: string[] = [inst.source === 'table' ? `${inst.asset_class}:${inst.symbol}` : `${inst.asset_class}:default`];
  if (opts.strategy) {
    costs = applyOverrides(costs, opts.strategy, inst.pip_size);
    layers.push('strategy');
  }
  const legacy = opts.legacy;
  if (legacy && (isNum(legacy.commission) || isNum(legacy.slippage))) {
    costs = { spread: 0, slippage: 0, slippage_fraction: isNum(legacy.slippage) ? legacy.slippage : KTRDR_SLIPPAGE, commission: { type: 'fraction', rate: isNum(legacy.commission) ? legacy.commission : KTRDR_COMMISSION } };
    layers.push('legacy_fraction');
  }
  if (opts.request) {
    costs = applyOverrides(costs, opts.request, inst.pip_size);
    layers.push('request');
  }
  return { costs, model: layers.join('+'), currency: inst.currency, asset_class: inst.asset_class, pip_size: inst.pip_size };
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Commission of one order of `quantity` units at `price` (per side). */
export function commissionFor(model: CommissionModel, price: number, quantity: number): number {
  const notional = price * quantity;
  switch (model.type) {
    case 'fraction':
      return notional * model.rate;
    case 'per_share': {
      if (quantity <= 0) return 0;
      let c = Math.max(model.minimum, model.per_share * quantity);
      if (model.maximum_fraction > 0) c = Math.min(c, notional * model.maximum_fraction);
      return c;
    }
    case 'per_lot':
      return (quantity / model.lot_size) * model.per_lot;
  }
}

/** Round-trip cost of one unit at `price`, in price units (spread + 2 × slippage; commission excluded). */
export function roundTripPriceCost(c: EngineCosts, price: number): number {
  return c.spread + 2 * (c.slippage + c.slippage_fraction * price);
}

/**
 * Units whose notional plus commission fit in `budget` at `price`: linear in the per-unit cost, then
 * the per-share minimum taken out when it binds (a cap on commission only frees cash, so the linear
 * size stays affordable).
 */
export function affordableUnits(model: CommissionModel, budget: number, price: number): number {
  if (!(budget > 0) || !(price > 0)) return 0;
  if (model.type === 'fraction') return budget / ((1 + model.rate) * price);
  if (model.type === 'per_lot') return budget / (price + model.per_lot / model.lot_size);
  const linear = budget / (price + model.per_share);
  if (model.per_share * linear >= model.minimum) return linear;
  // The minimum binds: what is left after it, at the price (never more than the linear size).
  return Math.max(0, Math.min(linear, (budget - model.minimum) / price));
}
