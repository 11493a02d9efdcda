// Training split sizes, embargoed rows and label counts per class and per split (issue 27), with the
// cause of an empty, tiny or one-class split. Reads the typed result's data_summary.splits (the split
// report of src/worker/training/split.ts), else the older samples/embargo_rows/label_distribution.
import { useEffect, useState } from 'react';
import type { TrainingResult } from '../../../shared/results/training';
import { api } from '../api/client';
import { ratiosFromModel, readSplits, type SplitKey } from '../lib/split-report';

const NAMES: Record<SplitKey, string> = { train: 'Training', validation: 'Validation', test: 'Test' };

/** The shares the model was trained with, for results that do not carry them (they explain an empty split). */
function useModelRatios(results: TrainingResult | null) {
  const [ratios, setRatios] = useState<Record<SplitKey, number> | null>(null);
  const path = results && !results.data_summary.splits ? results.model_path.replace(/^models\//, '') : null;
  useEffect(() => {
    setRatios(null);
    if (!path || !/^[^/]+\/[^/]+$/.test(path)) return;
    let live = true;
    api
      .get(`/models/${path.split('/').map(encodeURIComponent).join('/')}`)
      .then((b) => live && setRatios(ratiosFromModel(b)))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [path]);
  return ratios;
}

export function SplitTable({ results }: { results: TrainingResult | null }) {
  const ratios = useModelRatios(results);
  const v = readSplits(results?.data_summary ?? null, ratios);
  if (!v) return null;
  return (
    <div className="split-table" data-testid="split-table">
      <h3>Splits</h3>
      <div className="table-wrap">
        <table className="grid small">
          <thead>
            <tr>
              <th>Split</th>
              <th className="num">Rows</th>
              <th className="num">Share</th>
              <th className="num" title="Rows dropped before the next split because their label looks into it (so no label leaks across a boundary)">
                Embargoed
              </th>
              {v.classes.map((c) => (
                <th key={c} className="num" title={`Rows labelled ${c}`}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {v.rows.map((r) => (
              <tr key={r.split} data-split={r.split} className={r.rows === 0 ? 'empty-split' : undefined}>
                <th scope="row">{NAMES[r.split]}</th>
                <td className="num">{r.rows.toLocaleString('en-US')}</td>
                <td className="num">{r.share === null ? '—' : `${(r.share * 100).toFixed(1)} %`}</td>
                <td className="num">{r.embargoed === null ? (v.lookahead !== null && r.split !== 'test' ? `${v.lookahead} before boundary` : '—') : r.embargoed.toLocaleString('en-US')}</td>
                {v.classes.map((c) => (
                  <td key={c} className="num">
                    {r.labels[c] === undefined ? '—' : `${r.labels[c].toLocaleString('en-US')}${r.rows > 0 ? ` (${((100 * r.labels[c]) / r.rows).toFixed(0)} %)` : ''}`}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {v.notes.length > 0 && (
        <ul className="warnings" data-testid="split-notes">
          {v.notes.map((n, i) => (
            <li key={i} data-split={n.split}>
              {n.text}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
