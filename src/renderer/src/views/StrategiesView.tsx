import { useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError } from '../api/client';
import { EmptyState } from '../components/EmptyState';
import { ErrorNote } from '../components/ErrorNote';
import { IssueList } from '../components/IssueList';
import { YamlEditor, type YamlEditorHandle } from '../components/YamlEditor';
import { serverErrors } from '../lib/forms';
import { parseFeatures, parseStrategyDetail, parseValidation, type ValidationIssue } from '../lib/shapes';
import { useCatalog } from '../stores/catalog';
import { useSession } from '../stores/session';

interface Validation {
  valid: boolean;
  issues: ValidationIssue[];
  message: string | null;
}

export function StrategiesView() {
  const { items, loaded, error } = useCatalog((s) => s.strategies);
  const load = useCatalog((s) => s.loadStrategies);
  const name = useSession((s) => s.strategyName);
  const setSession = useSession((s) => s.set);
  const [yaml, setYaml] = useState('');
  const [loadError, setLoadError] = useState<string | null>(null);
  const [features, setFeatures] = useState<string[]>([]);
  const [validation, setValidation] = useState<Validation | null>(null);
  const [validateError, setValidateError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editor = useRef<YamlEditorHandle>(null);

  useEffect(() => void load(true), [load]);

  useEffect(() => {
    setYaml('');
    setFeatures([]);
    setValidation(null);
    setLoadError(null);
    if (!name) return;
    let live = true;
    const enc = encodeURIComponent(name);
    api
      .get(`/strategies/${enc}`)
      .then((b) => {
        if (!live) return;
        const d = parseStrategyDetail(b);
        setYaml(d.yaml ?? '');
        if (d.yaml === null) setLoadError('The server did not send this strategy’s YAML text.');
        if (d.features.length) setFeatures(d.features);
      })
      .catch((e: Error) => live && setLoadError(`GET /strategies/${name}: ${e.message}`));
    api
      .get(`/strategies/${enc}/features`)
      .then((b) => live && setFeatures(parseFeatures(b)))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [name]);

  async function validate() {
    setBusy(true);
    setValidateError(null);
    try {
      const r = await api.post('/strategies/validate', { yaml, name: name ?? undefined });
      const v = parseValidation(r);
      setValidation(v);
      const f = parseFeatures((r as { features?: unknown }).features ?? []);
      if (f.length) setFeatures(f);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 400 || e.status === 422)) {
        const v = parseValidation(e.body);
        if (v.issues.length) setValidation(v);
        else setValidateError(`${e.status}: ${serverErrors(e.body, e.message).message}`);
      } else setValidateError(`POST /strategies/validate: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  }

  const errorLines = useMemo(() => new Set((validation?.issues ?? []).filter((i) => i.severity === 'error' && i.line !== null).map((i) => i.line!)), [validation]);

  return (
    <section className="view" data-testid="view-strategies">
      <div className="view-head">
        <h1>Strategies</h1>
      </div>
      <ErrorNote error={error && `Could not list strategies (${error})`} />
      {loaded && !error && items.length === 0 && <EmptyState testId="strategies-empty">No strategies yet — add a YAML file to the strategies folder.</EmptyState>}
      <div className="layout-2">
        <ul className="list panel" data-testid="strategy-list" aria-label="Strategies">
          {items.map((s) => (
            <li key={s.name}>
              <button className={s.name === name ? 'active' : undefined} aria-current={s.name === name ? 'true' : undefined} onClick={() => setSession({ strategyName: s.name })} data-testid={`strategy-${s.name}`}>
                <div>{s.name}</div>
                <div className="muted small">
                  {[s.symbols.join(','), s.timeframes.join(','), s.training_status].filter(Boolean).join(' · ')}
                </div>
              </button>
            </li>
          ))}
        </ul>
        <div>
          {name ? (
            <div className="panel">
              <div className="detail-head">
                <h2>{name}</h2>
                <button className="btn primary small" onClick={() => void validate()} disabled={busy || !yaml} data-testid="validate" title="Validate (Ctrl+Enter in the editor)">
                  {busy ? 'Validating…' : 'Validate'}
                </button>
                {validation && (
                  <span className={validation.valid ? 'status completed' : 'status failed'} data-testid="validation-result">
                    {validation.valid ? 'valid' : `${validation.issues.filter((i) => i.severity === 'error').length} error(s)`}
                  </span>
                )}
              </div>
              <ErrorNote error={loadError} />
              <YamlEditor ref={editor} value={yaml} onChange={setYaml} errorLines={errorLines} onSubmit={() => !busy && yaml && void validate()} />
              <ErrorNote error={validateError} />
              {validation && <IssueList issues={validation.issues} onGoTo={(l, c) => editor.current?.goTo(l, c)} />}
              <h3>Resolved features ({features.length})</h3>
              {features.length ? (
                <div className="tags" data-testid="features">
                  {features.map((f) => (
                    <span key={f} className="tag">
                      {f}
                    </span>
                  ))}
                </div>
              ) : (
                <p className="empty">No features resolved yet.</p>
              )}
            </div>
          ) : (
            <EmptyState>Choose a strategy to view and validate its YAML.</EmptyState>
          )}
        </div>
      </div>
    </section>
  );
}
