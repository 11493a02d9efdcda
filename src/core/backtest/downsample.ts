/**
 * Indices to keep when a series of `n` points must be shown with at most `maxPoints`: the first and
 * the last point, and in each of equal-width buckets the points with the lowest value, the highest
 * value and the deepest drawdown, so peaks, troughs and the maximum drawdown survive. Sorted, unique.
 */
export function downsampleIndices(values: ArrayLike<number>, drawdowns: ArrayLike<number>, maxPoints: number): number[] {
  const n = values.length;
  const limit = Math.max(2, Math.floor(maxPoints));
  if (n <= limit) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor((limit - 2) / 3));
  const keep = new Set<number>([0, n - 1]);
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor(((n - 2) * b) / buckets);
    const to = 1 + Math.floor(((n - 2) * (b + 1)) / buckets);
    if (to <= from) continue;
    let lo = from;
    let hi = from;
    let dd = from;
    for (let i = from + 1; i < to; i++) {
      if (values[i] < values[lo]) lo = i;
      if (values[i] > values[hi]) hi = i;
      if (drawdowns[i] > drawdowns[dd]) dd = i;
    }
    keep.add(lo).add(hi).add(dd);
  }
  return [...keep].sort((a, b) => a - b);
}
