// Help for the indicators the strategy uses, from the server's registry (GET /indicators/).
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';

interface IndicatorDoc {
  id: string;
  name: string;
  description: string;
  aliases?: string[];
  parameters: { name: string; type: string; description?: string; default?: unknown; min_value?: number | null; max_value?: number | null }[];
  outputs?: string[];
}

let cache: Promise<IndicatorDoc[]> | null = null;
function loadDocs(): Promise<IndicatorDoc[]> {
  cache ??= api.get<{ data?: IndicatorDoc[] }>('/indicators/').then((r) => r.data ?? []);
  return cache;
}

/** `type: rsi` lines of the YAML → the registry's entries for them. */
export function IndicatorHelp({ yaml }: { yaml: string }) {
  const [docs, setDocs] = useState<IndicatorDoc[]>([]);
  useEffect(() => void loadDocs().then(setDocs, () => setDocs([])), []);
  const types = useMemo(() => [...new Set([...yaml.matchAll(/^\s+type:\s*["']?([A-Za-z0-9_]+)/gm)].map((m) => m[1].toLowerCase()))], [yaml]);
  const used = docs.filter((d) => types.includes(d.id.toLowerCase()) || (d.aliases ?? []).some((a) => types.includes(a.toLowerCase())));
  if (used.length === 0) return null;
  return (
    <details className="indicator-help" data-testid="indicator-help" open>
      <summary>Indicators used ({used.length})</summary>
      {used.map((d) => (
        <div key={d.id} className="help-entry">
          <strong>{d.name}</strong> <span className="mono muted">type: {d.id}</span>
          <p className="small">{d.description}</p>
          {d.parameters.length > 0 && (
            <ul className="small">
              {d.parameters.map((p) => (
                <li key={p.name}>
                  <span className="mono">{p.name}</span> ({p.type}
                  {p.default !== undefined ? `, default ${String(p.default)}` : ''}
                  {p.min_value != null || p.max_value != null ? `, ${p.min_value ?? '…'}–${p.max_value ?? '…'}` : ''}){p.description ? `: ${p.description}` : ''}
                </li>
              ))}
            </ul>
          )}
          {d.outputs && d.outputs.length > 1 && <p className="small muted">Outputs: {d.outputs.join(', ')}</p>}
        </div>
      ))}
    </details>
  );
}
