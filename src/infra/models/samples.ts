// Model inputs cut from a row-major feature matrix: one row per sample (MLP) or a window of the
// `length` rows ending at the sample's row (LSTM/GRU, KTRDR's sliding windows labelled by their last row).
// Samples are row indices, so train/val/test splits and multi-symbol segments are just index lists.

export interface SampleSource {
  /** Number of samples. */
  readonly size: number;
  /** Shape of one sample: [cols] or [length, cols]. */
  readonly shape: number[];
  /** Copies the samples at positions `positions[from .. from+count)` of this source into `out`. */
  fill(positions: ArrayLike<number>, from: number, count: number, out: Float32Array): void;
}

export function sampleLength(src: SampleSource): number {
  return src.shape.reduce((a, b) => a * b, 1);
}

/** Samples = rows `rows[i]` of the matrix. */
export function rowSamples(values: Float32Array, cols: number, rows: Int32Array): SampleSource {
  return {
    size: rows.length,
    shape: [cols],
    fill(positions, from, count, out) {
      for (let k = 0; k < count; k++) {
        const r = rows[positions[from + k]];
        out.set(values.subarray(r * cols, (r + 1) * cols), k * cols);
      }
    },
  };
}

/** Samples = windows of `length` rows ending at `ends[i]` (each end must be ≥ length − 1 rows into its segment). */
export function windowSamples(values: Float32Array, cols: number, ends: Int32Array, length: number): SampleSource {
  const per = length * cols;
  for (const e of ends) if (e - length + 1 < 0) throw new Error(`window ending at row ${e} needs ${length} rows`);
  return {
    size: ends.length,
    shape: [length, cols],
    fill(positions, from, count, out) {
      for (let k = 0; k < count; k++) {
        const start = ends[positions[from + k]] - length + 1;
        out.set(values.subarray(start * cols, (start + length) * cols), k * per);
      }
    },
  };
}

/** The identity positions 0..n-1 (for reading a source in order). */
export function identityPositions(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}
