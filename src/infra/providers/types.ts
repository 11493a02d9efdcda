// One interface for every source of bars: CSV folders, synthetic data, Dukascopy, Interactive Brokers.
import type { BarSeries } from '../../core/bars/types';

export interface FetchRequest {
  symbol: string;
  timeframe: string;
  /** UTC ms, inclusive. */
  start: number;
  /** UTC ms, exclusive. */
  end: number;
}

/** `fraction` 0..1 of this request. */
export type FetchProgress = (fraction: number, message: string) => void;

export interface CancelSignal {
  cancelled(): boolean;
}

export interface BarProvider {
  readonly id: string;
  /** Bars from this provider are labelled synthetic. */
  readonly synthetic: boolean;
  /** Largest time span one request should cover for a timeframe (the job splits ranges by it). */
  segmentMs(timeframe: string): number;
  /** Bars in [start, end), sorted and unique, with `meta.source` set. Rejects with ProviderError. */
  fetch(req: FetchRequest, onProgress: FetchProgress, signal: CancelSignal): Promise<BarSeries>;
}

/** A provider failure with a message meant for the user (what failed, why, what to do). */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** Rejects with `onTimeout()` if `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const DAY = 86_400_000;
