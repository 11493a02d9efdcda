// Chronological train/validation/test split of one symbol's rows with an embargo: the last `embargo`
// rows before each boundary are dropped, so no label window (a label at row i looks `horizon` rows
// ahead) reaches into the next split. Rows that cannot be samples (unknown label, invalid features,
// too little history for a sequence window) are skipped; the boundaries are fixed on row positions.

export interface SplitRatios {
  train: number;
  validation: number;
  test: number;
}

export interface SplitRows {
  train: number[];
  validation: number[];
  test: number[];
}

export function normaliseRatios(r: Partial<SplitRatios> | undefined): SplitRatios {
  const train = r?.train ?? 0.7;
  const validation = r?.validation ?? 0.15;
  const test = r?.test ?? Math.max(0, 1 - train - validation);
  const sum = train + validation + test;
  if (!(train > 0) || validation < 0 || test < 0 || !(sum > 0)) throw new Error(`Invalid data_split ${JSON.stringify(r)}`);
  return { train: train / sum, validation: validation / sum, test: test / sum };
}

/**
 * Rows [0, n) of one symbol: `usable(i)` says whether row i can be a sample. `offset` is added to every
 * returned index (the symbol's first row in the combined matrix).
 */
export function splitWithEmbargo(n: number, ratios: SplitRatios, embargo: number, usable: (i: number) => boolean, offset = 0, into?: SplitRows): SplitRows {
  const out = into ?? { train: [], validation: [], test: [] };
  const trainEnd = Math.floor(n * ratios.train);
  const valEnd = Math.floor(n * (ratios.train + ratios.validation));
  const gap = Math.max(0, Math.floor(embargo));
  for (let i = 0; i < n; i++) {
    if (!usable(i)) continue;
    if (i < trainEnd) {
      if (i < trainEnd - gap) out.train.push(offset + i);
    } else if (i < valEnd) {
      if (i < valEnd - gap) out.validation.push(offset + i);
    } else out.test.push(offset + i);
  }
  return out;
}
