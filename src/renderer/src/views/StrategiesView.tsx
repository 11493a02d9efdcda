import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError } from '../api/client';
import { EmptyState } from '../components/EmptyState';
import { ErrorNote } from '../components/ErrorNote';
import { IndicatorHelp } from '../components/IndicatorHelp';
import { IsoDateInput } from '../components/IsoDateInput';
import { IssueList } from '../components/IssueList';
import { MembershipPlots } from '../components/MembershipPlots';
import { YamlDiff } from '../components/YamlDiff';
import { NameDialog } from '../components/NameDialog';
import { YamlEditor, type YamlEditorHandle } from '../components/YamlEditor';
import { serverErrors } from '../lib/forms';
import { parseFeatures, parseStrategyDetail, parseValidation, type ValidationIssue } from '../lib/shapes';
import { NEW_STRATEGY_TEMPLATE, nameInText, newNameProblem, suggestCopyName, withName } from '../lib/strategy-files';
import { useApp } from '../stores/app';
import { useCatalog } from '../stores/catalog';
import { useOperations } from '../stores/operations';
import { useSession } from '../stores/session';

interface Validation {
  valid: boolean;
  issues: ValidationIssue[];
  message: string | null;
}

/** Unsaved texts by strategy name: switching views keeps them; switching strategy asks first. */
const drafts = new Map<string, string>();

/** Lint as you type: the text is validated this long after the last keystroke. */
export const LINT_DELAY_MS = 400;

/** What the name dialog is open for: a new file, or saving `text` under another name. */
type NameRequest = { kind: 'new' } | { kind: 'copy'; title: string; text: string; submitLabel: string } | null;

export function StrategiesView() {
  const { items, loaded, error } = useCatalog((s) => s.strategies);
  const load = useCatalog((s) => s.loadStrategies);
  const name = useSession((s) => s.strategyName);
  const setSession = useSession((s) => s.set);
  const [saved, setSaved] = useState<string | null>(null);
  const [yaml, setYamlState] = useState('');
  const [loadError, setLoadError] = useState<string | null>(null);
  const [features, setFeatures] = useState<string[]>([]);
  const [validation, setValidation] = useState<Validation | null>(null);
  const [note, setNote] = useState<{ kind: 'error' | 'ok'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [showDiff, setShowDiff] = useState(false);
  const [range, setRange] = useState({ start: '', end: '' });
  const [reload, setReload] = useState(0);
  const [naming, setNaming] = useState<NameRequest>(null);
  const editor = useRef<YamlEditorHandle>(null);
  // Lint as you type: one pending check, and only the answer for the latest text is shown.
  const lintTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const lintSeq = useRef(0);

  const info = items.find((s) => s.name === name) ?? null;
  const bundled = info?.source === 'bundled';
  const dirty = saved !== null && yaml !== saved;

  useEffect(() => void load(true), [load]);

  function setYaml(text: string) {
    setYamlState(text);
    if (name) {
      if (saved !== null && text !== saved) drafts.set(name, text);
      else drafts.delete(name);
    }
    clearTimeout(lintTimer.current);
    if (text) lintTimer.current = setTimeout(() => void check(text, false), LINT_DELAY_MS);
  }
  useEffect(() => () => clearTimeout(lintTimer.current), []);

  useEffect(() => {
    setSaved(null);
    setYamlState('');
    setFeatures([]);
    setValidation(null);
    setLoadError(null);
    setShowDiff(false);
    if (!name) return;
    let live = true;
    const enc = encodeURIComponent(name);
    api
      .get(`/strategies/${enc}`)
      .then((b) => {
        if (!live) return;
        const d = parseStrategyDetail(b);
        setSaved(d.yaml ?? '');
        const text = drafts.get(name) ?? d.yaml ?? '';
        setYamlState(text);
        // Markers at once for the text as opened (a draft may hold errors).
        if (text) void check(text, false);
        if (d.yaml === null) setLoadError('The server did not send this strategy’s YAML text.');
        if (d.features.length) setFeatures(d.features);
      })
      .catch((e: Error) => live && setLoadError(`GET /strategies/${name}: ${e.message}`));
    api
      .get(`/strategies/${enc}/features`)
      .then((b) => live && !drafts.has(name) && setFeatures(parseFeatures(b)))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [name, reload]);

  /** Asks before unsaved edits are thrown away; true when it is fine to go on. */
  function mayDiscard(): boolean {
    if (!dirty || !name) return true;
    if (!window.confirm(`Discard your unsaved edits to ${name}?`)) return false;
    drafts.delete(name);
    return true;
  }

  function choose(next: string) {
    if (next === name || !mayDiscard()) return;
    setNote(null);
    setSession({ strategyName: next });
  }

  /**
   * Validates `text`: from the Validate button (`shown`: busy state and errors in the note) or while
   * typing (quietly; an answer that arrives after newer text is dropped).
   */
  async function check(text: string, shown: boolean) {
    const seq = ++lintSeq.current;
    const current = () => seq === lintSeq.current;
    if (shown) {
      setBusy(true);
      setNote(null);
    }
    try {
      const r = await api.post('/strategies/validate', { yaml: text, name: name ?? undefined });
      if (!current()) return;
      const v = parseValidation(r);
      setValidation(v);
      // Features belong to the text just checked: none while it has errors.
      setFeatures(v.valid ? parseFeatures((r as { features?: unknown }).features ?? []) : []);
    } catch (e) {
      if (!current()) return;
      setFeatures([]);
      if (e instanceof ApiError && (e.status === 400 || e.status === 422)) {
        const v = parseValidation(e.body);
        if (v.issues.length) setValidation(v);
        else if (shown) setNote({ kind: 'error', text: serverErrors(e.body, e.message).message });
      } else if (shown) setNote({ kind: 'error', text: `Could not validate: ${(e as Error).message}` });
    } finally {
      if (shown) setBusy(false);
    }
  }
  const validate = () => check(yaml, true);

  /** PUT /strategies/{target}; refuses invalid text (422 with issues, shown in the editor). */
  async function write(target: string, text: string, overwrite: boolean): Promise<boolean> {
    setBusy(true);
    setNote(null);
    try {
      const r = await api.request('PUT', `/strategies/${encodeURIComponent(target)}`, { yaml: text, overwrite });
      setValidation(parseValidation(r));
      setFeatures(parseFeatures((r as { features?: unknown }).features ?? []));
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) {
        setValidation(parseValidation(e.body));
        setFeatures([]);
        setNote({ kind: 'error', text: `Not saved: fix the errors first.` });
      } else setNote({ kind: 'error', text: e instanceof ApiError ? `${e.status}: ${e.message}` : (e as Error).message });
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function save() {
    if (!name || bundled) return;
    if (await write(name, yaml, true)) {
      drafts.delete(name);
      setSaved(yaml);
      setNote({ kind: 'ok', text: `Saved ${name}.yaml` });
      void load(true);
    }
  }

  /** Save as / Duplicate: writes `text` under `target` (its `name:` set to the file's) and opens it. */
  async function saveAs(target: string, text: string) {
    if (!(await write(target, withName(text, target), false))) return;
    if (name) drafts.delete(name);
    await load(true);
    setSession({ strategyName: target });
    setReload((n) => n + 1);
    setNote({ kind: 'ok', text: `Saved as ${target}.yaml` });
  }

  async function createNew(target: string) {
    if (!(await write(target, NEW_STRATEGY_TEMPLATE(target), false))) return;
    await load(true);
    setSession({ strategyName: target });
    setReload((n) => n + 1);
  }

  function onNamed(target: string) {
    const req = naming;
    setNaming(null);
    if (req?.kind === 'new') void createNew(target);
    else if (req?.kind === 'copy') void saveAs(target, req.text);
  }

  async function remove() {
    if (!name || bundled) return;
    if (!window.confirm(`Delete ${name}.yaml from the strategies folder? Trained models stay.`)) return;
    try {
      await api.delete(`/strategies/${encodeURIComponent(name)}`);
      drafts.delete(name);
      setSession({ strategyName: null });
      await load(true);
    } catch (e) {
      setNote({ kind: 'error', text: (e as Error).message });
    }
  }

  async function train() {
    if (!name) return;
    if (dirty) return setNote({ kind: 'error', text: 'Save the strategy first: training uses the saved file.' });
    setBusy(true);
    setNote(null);
    try {
      const body: Record<string, unknown> = { strategy_name: name };
      if (range.start) body.start_date = range.start;
      if (range.end) body.end_date = range.end;
      const r = await api.post<{ operation_id?: string }>('/trainings/start', body);
      if (!r.operation_id) throw new Error('The server answered without an operation id');
      void useOperations.getState().refresh(r.operation_id);
      setSession({ trainingOpId: r.operation_id });
      useApp.getState().setView('training');
    } catch (e) {
      setNote({ kind: 'error', text: e instanceof ApiError ? serverErrors(e.body, e.message).message : (e as Error).message });
    } finally {
      setBusy(false);
    }
  }

  function backtest() {
    if (!name) return;
    if (dirty) return setNote({ kind: 'error', text: 'Save the strategy first: backtests use the saved file.' });
    const prev = useSession.getState().backtestForm ?? {};
    setSession({ backtestForm: { ...prev, strategy_name: name, model_path: '', symbol: info?.symbol ?? '', start_date: range.start || prev.start_date || '', end_date: range.end || prev.end_date || '' } });
    useApp.getState().setView('backtests');
  }

  const closeNaming = useCallback(() => setNaming(null), []);
  const issues = validation?.issues ?? [];
  const yamlName = useMemo(() => nameInText(yaml), [yaml]);
  const errorCount = issues.filter((i) => i.severity === 'error').length;

  return (
    <section className="view strategies-view" data-testid="view-strategies">
      <div className="view-head">
        <h1>Strategies</h1>
        <button className="btn small" onClick={() => mayDiscard() && setNaming({ kind: 'new' })} disabled={busy} data-testid="strategy-new">
          New
        </button>
      </div>
      <ErrorNote error={error && `Could not list strategies (${error})`} />
      {naming && (
        <NameDialog
          title={naming.kind === 'new' ? 'New strategy' : naming.title}
          hint={naming.kind === 'new' ? 'A small valid strategy to start from is written to the strategies folder.' : 'The copy’s name: inside the file follows its new file name.'}
          initial={naming.kind === 'new' ? 'my_strategy' : suggestCopyName(name ?? 'strategy', items.map((s) => s.name))}
          submitLabel={naming.kind === 'new' ? 'Create' : naming.submitLabel}
          problem={(n) => newNameProblem(n, items.map((s) => s.name))}
          onSubmit={onNamed}
          onCancel={closeNaming}
        />
      )}
      {loaded && !error && items.length === 0 && <EmptyState testId="strategies-empty">No strategies yet — “New” creates one in the strategies folder.</EmptyState>}
      <div className="layout-2">
        <ul className="list panel" data-testid="strategy-list" aria-label="Strategies">
          {items.map((s) => (
            <li key={s.name}>
              <button className={s.name === name ? 'active' : undefined} aria-current={s.name === name ? 'true' : undefined} onClick={() => choose(s.name)} data-testid={`strategy-${s.name}`}>
                <div>
                  {s.name}
                  {s.name === name && dirty ? ' •' : ''} {s.source === 'bundled' && <span className="tag small" title="Bundled sample: read-only, “Save as” copies it">sample</span>}
                </div>
                <div className="muted small">{[s.symbols.join(','), s.timeframes.join(','), s.training_status].filter(Boolean).join(' · ')}</div>
              </button>
            </li>
          ))}
        </ul>
        <div className="strategy-main">
          {name ? (
            <div className="panel editor-panel">
              <div className="detail-head wrap">
                <h2 data-testid="strategy-title" title={`File ${name}.yaml`}>
                  {yamlName ?? name}
                  {yamlName && yamlName !== name && <span className="muted small"> ({name}.yaml)</span>}
                  {dirty && (
                    <span className="tag warn small" data-testid="strategy-dirty">
                      unsaved
                    </span>
                  )}
                </h2>
                <div className="toolbar" role="toolbar" aria-label="Strategy file">
                  <button className="btn small" onClick={() => void validate()} disabled={busy || !yaml} data-testid="validate" title="Validate (Ctrl+Enter in the editor)">
                    {busy ? 'Working…' : 'Validate'}
                  </button>
                  <button className="btn small primary" onClick={() => void save()} disabled={busy || bundled || !dirty} data-testid="strategy-save" title={bundled ? 'Bundled samples are read-only: use Save as' : 'Save to the strategies folder'}>
                    Save
                  </button>
                  <button className="btn small" onClick={() => setNaming({ kind: 'copy', title: 'Save as a new strategy', text: yaml, submitLabel: 'Save' })} disabled={busy || !yaml} data-testid="strategy-save-as">
                    Save as…
                  </button>
                  <button className="btn small" onClick={() => setNaming({ kind: 'copy', title: `Duplicate ${name}.yaml (as saved)`, text: saved ?? yaml, submitLabel: 'Duplicate' })} disabled={busy || saved === null} data-testid="strategy-duplicate">
                    Duplicate
                  </button>
                  <button className="btn small" onClick={() => setShowDiff((v) => !v)} disabled={!dirty} aria-pressed={showDiff} data-testid="strategy-diff">
                    Diff
                  </button>
                  <button className="btn small danger" onClick={() => void remove()} disabled={busy || bundled} data-testid="strategy-delete" title={bundled ? 'Bundled samples cannot be deleted' : 'Delete this file'}>
                    Delete
                  </button>
                </div>
                {validation && (
                  <span className={validation.valid ? 'status completed' : 'status failed'} data-testid="validation-result">
                    {validation.valid ? 'valid' : `${errorCount} error(s)`}
                  </span>
                )}
              </div>
              <div className="run-bar" data-testid="strategy-run-bar">
                <label>
                  From <IsoDateInput value={range.start} onChange={(v) => setRange((r) => ({ ...r, start: v }))} testId="strategy-train-start" />
                </label>
                <label>
                  to <IsoDateInput value={range.end} onChange={(v) => setRange((r) => ({ ...r, end: v }))} testId="strategy-train-end" />
                </label>
                <button className="btn small primary" onClick={() => void train()} disabled={busy || saved === null} data-testid="strategy-train" title="Train the saved file over this range">
                  Train
                </button>
                <button className="btn small" onClick={backtest} disabled={busy || saved === null} data-testid="strategy-backtest" title="Open a backtest of the saved file">
                  Backtest…
                </button>
                {bundled && <span className="muted small">Bundled sample: read-only. “Save as” makes an editable copy.</span>}
              </div>
              {note && (
                <p className={note.kind === 'error' ? 'error' : 'ok'} role={note.kind === 'error' ? 'alert' : 'status'} data-testid="strategy-note">
                  {note.text}
                </p>
              )}
              <ErrorNote error={loadError} />
              {showDiff && dirty && saved !== null ? <YamlDiff saved={saved} current={yaml} /> : <YamlEditor ref={editor} value={yaml} onChange={setYaml} issues={issues} onSubmit={() => !busy && yaml && void validate()} />}
              {validation && issues.length > 0 && <IssueList issues={issues} onGoTo={(l, c) => editor.current?.goTo(l, c)} />}
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
                <p className="empty" data-testid="features-empty">
                  {validation && !validation.valid ? 'None while the strategy has errors.' : 'No features resolved yet.'}
                </p>
              )}
              {!dirty && saved !== null && <MembershipPlots name={name} symbol={info?.symbol ?? null} timeframe={info?.timeframe ?? null} reloadKey={reload} />}
              <IndicatorHelp yaml={yaml} />
            </div>
          ) : (
            <EmptyState>Choose a strategy to view, edit and train it — or “New”.</EmptyState>
          )}
        </div>
      </div>
    </section>
  );
}
