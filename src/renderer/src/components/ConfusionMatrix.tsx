const CLASSES = ['BUY', 'HOLD', 'SELL'];

/** Rows = true class, columns = predicted class (class indices 0 BUY / 1 HOLD / 2 SELL). */
export function ConfusionMatrix({ matrix, labels = CLASSES }: { matrix: number[][]; labels?: string[] }) {
  const total = matrix.flat().reduce((a, b) => a + b, 0) || 1;
  return (
    <table className="grid confusion" data-testid="confusion-matrix">
      <thead>
        <tr>
          <th>true \ predicted</th>
          {matrix[0]?.map((_v, j) => (
            <th key={j}>{labels[j] ?? j}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {matrix.map((row, i) => (
          <tr key={i}>
            <th>{labels[i] ?? i}</th>
            {row.map((v, j) => (
              <td key={j} className="num" style={{ background: `color-mix(in srgb, var(--${i === j ? 'good' : 'bad'}) ${Math.round((v / total) * 80)}%, transparent)` }}>
                {v}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
