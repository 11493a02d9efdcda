// The model's input: one row per base-timeframe bar, one column per resolved feature.

export interface FeatureMatrix {
  /** Column names in FeatureResolver order (`<tf>_<fuzzy_set>_<membership>`, `<tf>_<indicator>_raw`). */
  names: string[];
  rows: number;
  cols: number;
  /** Row-major rows×cols. Undefined cells (warm-up, no closed higher-timeframe bar yet) are NaN, never 0. */
  values: Float32Array;
  /** Base-timeframe bar OPEN times (UTC ms), one per row. */
  time: Float64Array;
  /** 1 where every column of the row is finite. */
  valid: Uint8Array;
  /** Leading rows that are not valid (indicator warm-up, higher timeframes not started yet). */
  warmupRows: number;
}

export interface ResolvedFeature {
  feature_id: string;
  timeframe: string;
  /** `__raw__` for raw indicator inputs (KTRDR's convention). */
  fuzzy_set_id: string;
  /** `raw` for raw indicator inputs. */
  membership_name: string;
  indicator_id: string;
  /** The indicator output read (its default output when the strategy names none). */
  indicator_output: string;
  kind: 'fuzzy' | 'raw';
}
