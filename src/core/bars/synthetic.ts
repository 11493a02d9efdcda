// Deterministic synthetic bars: a seeded geometric random walk with a daily anchor path, an
// intraday volatility profile and market closures. Any bar depends only on (seed, symbol,
// timeframe, its day), so a range fetched in segments equals the same range fetched at once.
import { timeframeMs } from '../timeframes';
import { calendarForSymbol, fxOpenMs, isUsTradingDay, type MarketCalendar } from './calendar';
import { resampleBars } from './resample';
import { BarBuilder } from './series';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './time';
import type { BarSeries } from './types';
import { mulberry32 } from '../random';

export interface SyntheticRequest {
  symbol: string;
  timeframe: string;
  /** UTC ms, inclusive. */
  start: number;
  /** UTC ms, exclusive. */
  end: number;
  seed?: number;
}

/** 32-bit string hash (FNV-1a), for per-symbol and per-day seeds. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const rng = mulberry32;

function gaussian(next: () => number): number {
  const u = Math.max(next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

interface Profile {
  calendar: MarketCalendar;
  basePrice: number;
  dailyVol: number;
  baseVolume: number;
}

function profileFor(symbol: string, seed: number): Profile {
  const calendar = calendarForSymbol(symbol);
  const h = hash(`${symbol}:${seed}`);
  if (calendar === 'fx') {
    const jpy = symbol.toUpperCase().endsWith('JPY');
    return { calendar, basePrice: (0.8 + (h % 700) / 1000) * (jpy ? 100 : 1), dailyVol: 0.006, baseVolume: 0 };
  }
  if (calendar === '24x7') return { calendar, basePrice: 1000 + (h % 50_000), dailyVol: 0.035, baseVolume: 5_000 };
  return { calendar, basePrice: 20 + (h % 300), dailyVol: 0.016, baseVolume: 2_000_000 };
}

/** Origin of the daily anchor walk; earlier dates are generated backwards symmetrically. */
const ORIGIN_DAY = Math.floor(Date.UTC(2000, 0, 3) / DAY_MS);

/** Log-price at the start of each day, walking from the origin (cached per symbol). */
class AnchorPath {
  private readonly fwd: number[] = [0];
  private readonly back: number[] = [0];
  private readonly nextF: () => number;
  private readonly nextB: () => number;

  constructor(
    seed: number,
    private readonly vol: number,
  ) {
    this.nextF = rng(seed ^ 0x9e3779b9);
    this.nextB = rng(seed ^ 0x85ebca6b);
  }

  at(day: number): number {
    const k = day - ORIGIN_DAY;
    const arr = k >= 0 ? this.fwd : this.back;
    const next = k >= 0 ? this.nextF : this.nextB;
    const idx = Math.abs(k);
    while (arr.length <= idx) {
      // Mean-reverting a little towards 0 keeps decades of walk within a believable band.
      const prev = arr[arr.length - 1];
      arr.push(prev * 0.9995 + gaussian(next) * this.vol);
    }
    return arr[idx];
  }
}

/** Relative intraday volatility by UTC hour: quiet Asia, busy London/New York overlap. */
function hourVolFactor(hour: number): number {
  if (hour >= 12 && hour < 17) return 1.6;
  if (hour >= 7 && hour < 12) return 1.2;
  if (hour >= 17 && hour < 21) return 0.9;
  return 0.55;
}

function barIsOpen(calendar: MarketCalendar, t: number, tf: number): boolean {
  if (calendar === '24x7') return true;
  if (calendar === 'fx') return fxOpenMs(t, t + tf) > 0;
  const day = Math.floor(t / DAY_MS);
  if (!isUsTradingDay(day)) return false;
  if (tf >= DAY_MS) return true;
  // Regular session 14:30-21:00 UTC (winter clock; synthetic data does not follow DST).
  const tod = t - day * DAY_MS;
  return tod + tf > 14 * HOUR_MS + 30 * MINUTE_MS && tod < 21 * HOUR_MS;
}

/** Generates bars for [start, end) labelled synthetic. Timeframes above 1d are resampled from 1d. */
export function generateSyntheticBars(req: SyntheticRequest): BarSeries {
  const tf = timeframeMs(req.timeframe);
  if (tf === null) throw new Error(`Unknown timeframe '${req.timeframe}'`);
  const seed = req.seed ?? 42;
  const symbol = req.symbol.toUpperCase();
  if (tf > DAY_MS) {
    const daily = generateSyntheticBars({ ...req, timeframe: '1d', start: req.start - 7 * DAY_MS, end: req.end + 7 * DAY_MS });
    const r = resampleBars(daily, req.timeframe);
    const out = new BarBuilder(r.time.length);
    for (let i = 0; i < r.time.length; i++) if (r.time[i] >= req.start && r.time[i] < req.end) out.push(r.time[i], r.open[i], r.high[i], r.low[i], r.close[i], r.volume[i]);
    return { ...out.finish(symbol, req.timeframe), meta: { source: 'synthetic', synthetic: true } };
  }
  if (DAY_MS % tf !== 0) throw new Error(`Synthetic data needs a timeframe that divides a day, got '${req.timeframe}'`);
  const p = profileFor(symbol, seed);
  const anchors = new AnchorPath(hash(`${symbol}:${seed}:anchors`), p.dailyVol);
  const steps = DAY_MS / tf;
  const out = new BarBuilder(Math.max(16, Math.ceil((req.end - req.start) / tf)));
  const firstDay = Math.floor(req.start / DAY_MS);
  const lastDay = Math.floor((req.end - 1) / DAY_MS);
  const logBase = Math.log(p.basePrice);
  const path = new Float64Array(steps + 1);
  for (let day = firstDay; day <= lastDay; day++) {
    const next = rng(hash(`${symbol}:${seed}:${req.timeframe}:${day}`));
    const a = anchors.at(day);
    const b = anchors.at(day + 1);
    // Brownian bridge from a to b, with per-step volatility shaped by the hour of day.
    let acc = 0;
    let wsum = 0;
    const w = new Float64Array(steps);
    for (let k = 0; k < steps; k++) {
      const hour = Math.floor(((k * tf) % DAY_MS) / HOUR_MS);
      w[k] = hourVolFactor(hour);
      wsum += w[k] * w[k];
    }
    const norm = p.dailyVol / Math.sqrt(wsum);
    path[0] = 0;
    for (let k = 0; k < steps; k++) {
      acc += gaussian(next) * w[k] * norm;
      path[k + 1] = acc;
    }
    const drift = b - a - path[steps];
    for (let k = 0; k <= steps; k++) path[k] = logBase + a + path[k] + (drift * k) / steps;
    for (let k = 0; k < steps; k++) {
      const t = day * DAY_MS + k * tf;
      if (t < req.start || t >= req.end) continue;
      if (!barIsOpen(p.calendar, t, tf)) continue;
      const stepVol = w[k] * norm;
      const o = Math.exp(path[k]);
      const c = Math.exp(path[k + 1]);
      const h = Math.max(o, c) * Math.exp(Math.abs(gaussian(next)) * stepVol * 0.6);
      const l = Math.min(o, c) * Math.exp(-Math.abs(gaussian(next)) * stepVol * 0.6);
      const v = p.baseVolume === 0 ? 0 : Math.round(p.baseVolume * (tf / DAY_MS) * w[k] * Math.exp(gaussian(next) * 0.4));
      const digits = o < 10 ? 1e5 : 1e2;
      const ro = Math.round(o * digits) / digits;
      const rc = Math.round(c * digits) / digits;
      out.push(t, ro, Math.max(Math.round(h * digits) / digits, ro, rc), Math.min(Math.round(l * digits) / digits, ro, rc), rc, v);
    }
  }
  return { ...out.finish(symbol, req.timeframe), meta: { source: 'synthetic', synthetic: true } };
}
