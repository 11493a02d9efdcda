// Multi-timeframe alignment without look-ahead. A base row with open time t is used to decide at its
// close t+base; a higher bar [H, H+higher) is complete at H+higher. So row t may use the last higher
// bar with H+higher ≤ t+base. (KTRDR forward-fills by open time, leaking the unfinished 4h bar into
// the 1h rows before it closes: fixed here.)

/** For each base row, the index of the last higher-timeframe bar closed by that row's close; -1 if none. */
export function alignToBase(baseTime: Float64Array, baseMs: number, higherTime: Float64Array, higherMs: number): Int32Array {
  const out = new Int32Array(baseTime.length);
  let j = -1;
  for (let i = 0; i < baseTime.length; i++) {
    const decisionTime = baseTime[i] + baseMs;
    while (j + 1 < higherTime.length && higherTime[j + 1] + higherMs <= decisionTime) j++;
    out[i] = j;
  }
  return out;
}
