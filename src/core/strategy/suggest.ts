// "Did you mean …?" for misspelt keys and names (Damerau-Levenshtein, optimal string alignment).

export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => {
    const row = new Array<number>(n + 1).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[m][n];
}

/** Candidates close to `word`, best first: small edit distance (scaled by length) or a shared prefix/substring. */
export function closestMatches(word: string, candidates: Iterable<string>, max = 3): string[] {
  const w = word.toLowerCase();
  const scored: { c: string; score: number }[] = [];
  for (const c of new Set(candidates)) {
    const lc = c.toLowerCase();
    if (lc === w) return [c];
    const dist = editDistance(w, lc);
    const limit = Math.max(1, Math.floor(Math.max(w.length, lc.length) / 3));
    let score = dist <= limit ? dist : Infinity;
    // A shared substring only counts between words long enough for it to mean something.
    if (!Number.isFinite(score) && Math.min(w.length, lc.length) >= 4 && (lc.includes(w) || w.includes(lc))) score = limit + 1;
    if (Number.isFinite(score)) scored.push({ c, score });
  }
  scored.sort((x, y) => x.score - y.score || x.c.localeCompare(y.c));
  return scored.slice(0, max).map((s) => s.c);
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const m = closestMatches(word, candidates);
  if (!m.length) return undefined;
  return m.length === 1 ? `did you mean '${m[0]}'?` : `did you mean one of: ${m.map((x) => `'${x}'`).join(', ')}?`;
}
