import { useState } from 'react';
import { api } from '../../api/client';
import { Field } from '../Field';
import { StrategySelect } from '../StrategySelect';

type Kind = 'walk_forward' | 'sweep';

const DEFAULT_SPACE = JSON.stringify({ 'indicators.rsi_14.period': { min: 7, max: 28, step: 7 }, 'training.learning_rate': { min: 0.0005, max: 0.01, log: true } }, null, 2);

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
    space: DEFAULT_SPACE,
    sampler: 'random',
    trials: '8',
    objective: 'oos_sharpe',
    seed: '1',
    max_parallel: '',
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = (k: keyof typeof f, testId: string, extra: Record<string, unknown> = {}) => ({
    id: `exp-${k}`,
    value: String(f[k]),
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => setF({ ...f, [k]: e.target.value }),
    'data-testid': testId,
    ...extra,
  });

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const common: Record<string, unknown> = { strategy_name: f.strategy_name, start_date: f.start_date, end_date: f.end_date };
      if (f.timeframes.trim()) common.timeframes = f.timeframes.split(',').map((s) => s.trim()).filter(Boolean);
      if (f.max_parallel) common.max_parallel = Number(f.max_parallel);
      let r: { operation_id: string };
      if (kind === 'walk_forward') {
        const win = (v: string) => (/^\d+$/.test(v) ? Number(v) : v);
        r = await api.post('/experiments/walk-forward/start', { ...common, train_window: win(f.train_window), test_window: win(f.test_window), embargo_bars: Number(f.embargo_bars) || 0, anchored: f.anchored });
      } else {
        let space: unknown;
        try {
          space = JSON.parse(f.space);
        } catch {
          throw new Error('space: not valid JSON');
        }
        r = await api.post('/experiments/sweeps/start', { ...common, space, sampler: f.sampler, trials: Number(f.trials), objective: f.objective, seed: Number(f.seed) || 0 });
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
          <input {...input('start_date', 'exp-start_date', { type: 'date' })} />
        </Field>
        <Field label="End date" htmlFor="exp-end_date">
          <input {...input('end_date', 'exp-end_date', { type: 'date' })} />
        </Field>
        <Field label="Max parallel children" htmlFor="exp-max_parallel">
          <input {...input('max_parallel', 'exp-max_parallel', { placeholder: 'worker limit' })} />
        </Field>
        {kind === 'walk_forward' ? (
          <>
            <Field label="Training window (3y, 6M, 30d or bars)" htmlFor="exp-train_window">
              <input {...input('train_window', 'exp-train_window')} />
            </Field>
            <Field label="Test window" htmlFor="exp-test_window">
              <input {...input('test_window', 'exp-test_window')} />
            </Field>
            <Field label="Embargo (bars)" htmlFor="exp-embargo_bars">
              <input {...input('embargo_bars', 'exp-embargo_bars')} />
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
            <Field label="Objective" htmlFor="exp-objective">
              <select {...input('objective', 'exp-objective')}>
                {['oos_sharpe', 'oos_return', 'oos_sortino', 'oos_calmar', 'oos_profit_factor', 'val_accuracy', 'test_accuracy'].map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Seed" htmlFor="exp-seed">
              <input {...input('seed', 'exp-seed')} />
            </Field>
            <Field label="Search space (strategy path → {values} or {min, max, step?, log?})" htmlFor="exp-space">
              <textarea {...input('space', 'exp-space')} rows={6} spellCheck={false} />
            </Field>
          </>
        )}
      </div>
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
