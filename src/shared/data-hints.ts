// What to type when a series is missing or made up, in the same words for the API, the CLI and the UI.

/** Commands that get bars for a missing series; both are accepted by `ktrdr` exactly as written (FILE.csv aside). */
export function missingDataHint(symbol: string, timeframe: string): string {
  return (
    `load it first: \`ktrdr data load ${symbol} ${timeframe} --start YYYY-MM-DD --follow\` (Dukascopy for FX pairs, Interactive Brokers otherwise), ` +
    `or import a file: \`ktrdr data import FILE.csv --symbol ${symbol} --timeframe ${timeframe}\``
  );
}

/** The warning every run on generated bars carries (start answer, operation warnings, UI badge). */
export function syntheticDataWarning(series: string[]): string {
  return `${series.join(', ')} ${series.length === 1 ? 'is' : 'are'} SYNTHETIC (generated random-walk bars, not market data): results say nothing about a real market`;
}
