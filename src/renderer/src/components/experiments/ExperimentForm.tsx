import { useState } from 'react';
import { SWEEP_OBJECTIVES } from '../../../../shared/experiment-requests';
import { api } from '../../api/client';
import { checkPortfolioFields, DEFAULT_PORTFOLIO_FIELDS, experimentBacktestSection, type FieldErrors, type PortfolioFormFields } from '../../lib/forms';
import { Field } from '../Field';
import { IsoDateInput } from '../IsoDateInput';
import { PortfolioFields } from '../PortfolioFields';
import { StrategySelect } from '../StrategySelect';

type Kind = 'walk_forward' | 'sweep';

/** One search-space dimension: a numeric range (optionally stepped or log-scaled) or a list of values. */
export interface SpaceRow {
  path: string;
  mode: 'range' | 'values';
  min: string;
  max: string;
  step: string;
  log: boolean;
  values: string;
}

const DEFAULT_ROWS: SpaceRow[] = [
  { path: 'indicators.rsi_14.period', mode: 'range', min: '7', max: '28', step: '7', log: false, values: '' },
  { path: 'training.learning_rate', mode: 'range', min: '0.0005', max: '0.01', step: '', log: true, values: '' },
];

/** Strategy paths people sweep most (any dotted path of the strategy YAML works). */
const PATH_HINTS = [
  'indicators.rsi_14.period',
  'indicators.macd_12_26_9.fast_period',
  'indicators.macd_12_26_9.slow_period',
  'training.learning_rate',
  'training.batch_size',
  'training.epochs',
  'training.labels.zigzag_threshold',
  'model.architecture.hidden_layers',
  'model.architecture.dropout',
  'decisions.confidence_threshold',
];

/** A values list: numbers stay numbers, JSON lists ([32, 16]) stay lists, the rest is text. */
function parseValue(text: string): unknown {
  const t = text.trim();
  if (t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      return t;
    }
  }
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/** Splits "7, 14, [32,16]" on top-level commas only. */
function splitValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

/** The request's `space` from the form rows; problems name the row (the server checks paths and ranges). */
export function spaceFromRows(rows: SpaceRow[]): { space: Record<string, unknown>; problems: string[] } {
  const space: Record<string, unknown> = {};
  const problems: string[] = [];
  rows.forEach((r, i) => {
    const where = `Search space row ${i + 1}`;
    if (!r.path.trim()) return void problems.push(`${where}: give the strategy path (e.g. indicators.rsi_14.period)`);
    if (r.path.trim() in space) return void problems.push(`${where}: ${r.path} is listed twice`);
    if (r.mode === 'values') {
      const values = splitValues(r.values).map(parseValue);
      if (!values.length) return void problems.push(`${where}: list at least one value`);
      space[r.path.trim()] = { values };
      return;
    }
    const min = Number(r.min);
    const max = Number(r.max);
    if (r.min.trim() === '' || !Number.isFinite(min)) return void problems.push(`${where}: min must be a number`);
    if (r.max.trim() === '' || !Number.isFinite(max)) return void problems.push(`${where}: max must be a number`);
    const spec: Record<string, unknown> = { min, max };
    if (r.step.trim() !== '') {
      const step = Number(r.step);
      if (!Number.isFinite(step) || step <= 0) return void problems.push(`${where}: step must be a positive number`);
      spec.step = step;
    }
    if (r.log) spec.log = true;
    space[r.path.trim()] = spec;
  });
  return { space, problems };
}

/** Launch a walk-forward or a sweep; the server's 4xx (naming the field) shows under the form. */
export function ExperimentForm({ onStarted }: { onStarted(id: string): void }) {
  const [kind, setKind] = useState<Kind>('walk_forward');
  const [f, setF] = useState({
    strategy_name: '',
    timeframes: '',
    start_date: '2017-01-01',
    end_date: '2017-06-15',
    train_window: '2M',
    test_window: '1M',
    embargo_bars: '0',
    anchored: false,
    sampler: 'random',
    trials: '8',
    objective: 'oos_sharpe',
    seed: '1',
    selection: '0.2',
    holdout: '0.2',
    max_parallel: '',
    initial_capital: '100000',
    commission: '',
    slippage: '',
    spread_pips: '',
    /** Backtest every fold / trial as one portfolio of these legs (empty: the trained symbols). */
    portfolio: false,
    legs: '',
  });
  const [pf, setPf] = useState<PortfolioFormFields>(DEFAULT_PORTFOLIO_FIELDS);
  const [rows, setRows] = useState<SpaceRow[]>(DEFAULT_ROWS);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = (k: keyof typeof f, testId: string, extra: Record<string, unknown> = {}) => ({
    id: `exp-${k}`,
    value: String(f[k]),
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setF({ ...f, [k]: e.target.value }),
    'data-testid': testId,
    ...extra,
  });
  const setRow = (i: number, patch: Partial<SpaceRow>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));


  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      if (f.portfolio) {
        const problems: FieldErrors = {};
        checkPortfolioFields(pf, problems);
        if (Object.keys(problems).length) throw new Error(Object.values(problems).join('; '));
      }
      const common: Record<string, unknown> = { strategy_name: f.strategy_name, start_date: f.start_date, end_date: f.end_date, backtest: experimentBacktestSection(f, f.portfolio ? pf : null) };
      if (f.timeframes.trim()) common.timeframes = f.timeframes.split(',').map((s) => s.trim()).filter(Boolean);
      if (f.max_parallel) common.max_parallel = Number(f.max_parallel);
      let r: { operation_id: string };
      if (kind === 'walk_forward') {
        const win = (v: string) => (/^\d+$/.test(v) ? Number(v) : v);
        r = await api.post('/experiments/walk-forward/start', { ...common, train_window: win(f.train_window), test_window: win(f.test_window), embargo_bars: Number(f.embargo_bars) || 0, anchored: f.anchored });
      } else {
        const { space, problems } = spaceFromRows(rows);
        if (problems.length) throw new Error(problems.join('; '));
        r = await api.post('/experiments/sweeps/start', {
          ...common,
          space,
          sampler: f.sampler,
          trials: Number(f.trials),
          objective: f.objective,
          seed: Number(f.seed) || 0,
          selection: Number(f.selection),
          holdout: Number(f.holdout),
          embargo_bars: Number(f.embargo_bars) || 0,
        });
      }
      onStarted(r.operation_id);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel" onSubmit={submit} noValidate data-testid="experiment-form">
      <h2>New experiment</h2>
      <div className="form-actions" role="radiogroup" aria-label="Kind">
        {(['walk_forward', 'sweep'] as const).map((k) => (
          <label key={k}>
            <input type="radio" name="exp-kind" checked={kind === k} onChange={() => setKind(k)} data-testid={`exp-kind-${k}`} /> {k === 'walk_forward' ? 'Walk-forward' : 'Parameter sweep'}
          </label>
        ))}
      </div>
      <div className="form-grid">
        <Field label="Strategy" htmlFor="exp-strategy_name">
          <StrategySelect id="exp-strategy_name" value={f.strategy_name} onChange={(v) => setF({ ...f, strategy_name: v })} />
        </Field>
        <Field label="Timeframes (optional)" htmlFor="exp-timeframes">
          <input {...input('timeframes', 'exp-timeframes', { placeholder: '1h' })} />
        </Field>
        <Field label="Start date" htmlFor="exp-start_date">
          <IsoDateInput id="exp-start_date" value={f.start_date} onChange={(v) => setF({ ...f, start_date: v })} testId="exp-start_date" />
        </Field>
        <Field label="End date (inclusive)" htmlFor="exp-end_date">
          <IsoDateInput id="exp-end_date" value={f.end_date} onChange={(v) => setF({ ...f, end_date: v })} testId="exp-end_date" />
        </Field>
        <Field label="Max parallel children" htmlFor="exp-max_parallel">
          <input {...input('max_parallel', 'exp-max_parallel', { placeholder: 'worker limit' })} />
        </Field>
        <Field label="Embargo (bars between windows)" htmlFor="exp-embargo_bars">
          <input {...input('embargo_bars', 'exp-embargo_bars')} />
        </Field>
        <Field label="Initial capital" htmlFor="exp-initial_capital">
          <input {...input('initial_capital', 'exp-initial_capital', { inputMode: 'decimal' })} />
        </Field>
        <Field label="Spread (pips)" htmlFor="exp-spread_pips">
          <input {...input('spread_pips', 'exp-spread_pips', { inputMode: 'decimal', placeholder: 'instrument default' })} />
        </Field>
        <Field label="Commission (fraction, KTRDR model)" htmlFor="exp-commission">
          <input {...input('commission', 'exp-commission', { inputMode: 'decimal', placeholder: 'instrument default' })} />
        </Field>
        <Field label="Slippage (fraction, KTRDR model)" htmlFor="exp-slippage">
          <input {...input('slippage', 'exp-slippage', { inputMode: 'decimal', placeholder: 'instrument default' })} />
        </Field>
        <Field label="Backtest as one portfolio" htmlFor="exp-portfolio">
          <input id="exp-portfolio" type="checkbox" checked={f.portfolio} onChange={(e) => setF({ ...f, portfolio: e.target.checked })} data-testid="exp-portfolio" />
        </Field>
        {f.portfolio && (
          <>
            <Field label="Portfolio legs" htmlFor="exp-legs">
              <input {...input('legs', 'exp-legs', { placeholder: 'the trained symbols' })} />
            </Field>
            <PortfolioFields prefix="exp" value={pf} onChange={setPf} />
          </>
        )}
        {kind === 'walk_forward' ? (
          <>
            <Field label="Training window (3y, 6M, 30d or bars)" htmlFor="exp-train_window">
              <input {...input('train_window', 'exp-train_window')} />
            </Field>
            <Field label="Test window (the step too)" htmlFor="exp-test_window">
              <input {...input('test_window', 'exp-test_window')} />
            </Field>
            <Field label="Anchored" htmlFor="exp-anchored">
              <input id="exp-anchored" type="checkbox" checked={f.anchored} onChange={(e) => setF({ ...f, anchored: e.target.checked })} />
            </Field>
          </>
        ) : (
          <>
            <Field label="Sampler" htmlFor="exp-sampler">
              <select {...input('sampler', 'exp-sampler')}>
                <option value="random">random</option>
                <option value="grid">grid</option>
                <option value="tpe">TPE</option>
              </select>
            </Field>
            <Field label="Trials" htmlFor="exp-trials">
              <input {...input('trials', 'exp-trials')} />
            </Field>
            <Field label="Objective (maximised)" htmlFor="exp-objective">
              <select {...input('objective', 'exp-objective')}>
                {Object.entries(SWEEP_OBJECTIVES).map(([name, o]) => (
                  <option key={name} value={name} title={o.label}>
                    {name}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Seed" htmlFor="exp-seed">
              <input {...input('seed', 'exp-seed')} />
            </Field>
            <Field label="Selection window (share of bars; trials are ranked here)" htmlFor="exp-selection">
              <input {...input('selection', 'exp-selection', { inputMode: 'decimal' })} />
            </Field>
            <Field label="Final holdout (share of bars; the chosen trial only, once)" htmlFor="exp-holdout">
              <input {...input('holdout', 'exp-holdout', { inputMode: 'decimal' })} />
            </Field>
          </>
        )}
      </div>
      {kind === 'sweep' && (
        <fieldset data-testid="exp-space">
          <legend>Search space</legend>
          <datalist id="exp-space-paths">
            {PATH_HINTS.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
          <table className="table">
            <thead>
              <tr>
                <th>Strategy path</th>
                <th>Kind</th>
                <th>Min</th>
                <th>Max</th>
                <th>Step</th>
                <th>Log scale</th>
                <th>Values (comma-separated)</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i} data-testid={`exp-space-row-${i}`}>
                  <td>
                    <input aria-label={`Path of row ${i + 1}`} list="exp-space-paths" value={r.path} onChange={(e) => setRow(i, { path: e.target.value })} data-testid={`exp-space-path-${i}`} />
                  </td>
                  <td>
                    <select aria-label={`Kind of row ${i + 1}`} value={r.mode} onChange={(e) => setRow(i, { mode: e.target.value as SpaceRow['mode'] })} data-testid={`exp-space-mode-${i}`}>
                      <option value="range">range</option>
                      <option value="values">values</option>
                    </select>
                  </td>
                  <td>
                    <input aria-label={`Min of row ${i + 1}`} inputMode="decimal" disabled={r.mode !== 'range'} value={r.min} onChange={(e) => setRow(i, { min: e.target.value })} data-testid={`exp-space-min-${i}`} />
                  </td>
                  <td>
                    <input aria-label={`Max of row ${i + 1}`} inputMode="decimal" disabled={r.mode !== 'range'} value={r.max} onChange={(e) => setRow(i, { max: e.target.value })} data-testid={`exp-space-max-${i}`} />
                  </td>
                  <td>
                    <input aria-label={`Step of row ${i + 1}`} inputMode="decimal" placeholder="any" disabled={r.mode !== 'range'} value={r.step} onChange={(e) => setRow(i, { step: e.target.value })} data-testid={`exp-space-step-${i}`} />
                  </td>
                  <td>
                    <input aria-label={`Log scale of row ${i + 1}`} type="checkbox" disabled={r.mode !== 'range'} checked={r.log} onChange={(e) => setRow(i, { log: e.target.checked })} />
                  </td>
                  <td>
                    <input aria-label={`Values of row ${i + 1}`} placeholder="7, 14, 21 or [32], [64, 32]" disabled={r.mode !== 'values'} value={r.values} onChange={(e) => setRow(i, { values: e.target.value })} data-testid={`exp-space-values-${i}`} />
                  </td>
                  <td>
                    <button type="button" className="btn" onClick={() => setRows(rows.filter((_, j) => j !== i))} aria-label={`Remove row ${i + 1}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" className="btn" onClick={() => setRows([...rows, { path: '', mode: 'range', min: '', max: '', step: '', log: false, values: '' }])} data-testid="exp-space-add">
            Add a parameter
          </button>
        </fieldset>
      )}
      <div className="form-actions">
        <button className="btn primary" type="submit" disabled={busy} data-testid="exp-submit">
          {busy ? 'Starting…' : kind === 'walk_forward' ? 'Start walk-forward' : 'Start sweep'}
        </button>
        <p className="error" role="alert" data-testid="exp-server-error">
          {error ?? ''}
        </p>
      </div>
    </form>
  );
}
