import { useEffect, useState } from 'react';
import { useFormSubmission } from '../hooks/useFormSubmission';
import { useSession } from '../stores/session';
import { api } from '../api/client';
import { splitList, validateTrainingForm, type TrainingForm as Form } from '../lib/forms';
import { useCatalog } from '../stores/catalog';
import { useOperations } from '../stores/operations';
import { Field } from './Field';
import { StrategySelect } from './StrategySelect';

/** Start a training: client checks first, then `POST /trainings/start`; its 4xx detail shows here. */
export function TrainingForm({ onStarted }: { onStarted(id: string): void }) {
  const [f, setF] = useState<Form>(() => ({ ...{ strategy_name: '', symbols: '', timeframes: '', start_date: '', end_date: '' }, ...(useSession.getState().trainingForm as Partial<Form> | null) }));
  useEffect(() => useSession.getState().set({ trainingForm: { ...f } }), [f]);
  const strategies = useCatalog((s) => s.strategies.items);

  // Symbols/timeframes come from the chosen strategy's YAML: filled when empty (the catalogue may
  // load after the form), replaced when another strategy is chosen (issue 27: they stayed the old one's).
  useEffect(() => {
    const s = strategies.find((x) => x.name === f.strategy_name);
    if (s) setF((p) => ({ ...p, symbols: p.symbols || s.symbols.join(', '), timeframes: p.timeframes || s.timeframes.join(', ') }));
  }, [f.strategy_name, strategies]);
  const chooseStrategy = (name: string) => {
    const s = strategies.find((x) => x.name === name);
    setF((p) => ({ ...p, strategy_name: name, symbols: s ? s.symbols.join(', ') : '', timeframes: s ? s.timeframes.join(', ') : '' }));
  };

  const field = (k: keyof Form) => ({
    id: `train-${k}`,
    value: f[k],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => setF({ ...f, [k]: e.target.value }),
  });

  const { errors, serverMessage, busy, submit } = useFormSubmission(validateTrainingForm, async (f: Form) => {
    const body: Record<string, unknown> = { strategy_name: f.strategy_name, symbols: splitList(f.symbols, true), timeframes: splitList(f.timeframes) };
    if (f.start_date) body.start_date = f.start_date;
    if (f.end_date) body.end_date = f.end_date;
    const r = await api.post<{ operation_id?: string; task_id?: string }>('/trainings/start', body);
    const id = r.operation_id ?? r.task_id;
    if (!id) throw new Error('The server answered without an operation id');
    void useOperations.getState().refresh(id);
    onStarted(id);
  });

  return (
    <form className="panel" onSubmit={(e) => submit(e, f)} noValidate data-testid="training-form">
      <h2>New training</h2>
      <div className="form-grid">
        <Field label="Strategy" htmlFor="train-strategy_name" error={errors.strategy_name}>
          <StrategySelect id="train-strategy_name" value={f.strategy_name} onChange={chooseStrategy} />
        </Field>
        <Field label="Symbols (comma-separated)" htmlFor="train-symbols" error={errors.symbols}>
          <input {...field('symbols')} placeholder="EURUSD, AAPL" data-testid="train-symbols" />
        </Field>
        <Field label="Timeframes" htmlFor="train-timeframes" error={errors.timeframes}>
          <input {...field('timeframes')} placeholder="1h, 1d" data-testid="train-timeframes" />
        </Field>
        <Field label="Start date" htmlFor="train-start_date" error={errors.start_date}>
          <input {...field('start_date')} type="text" placeholder="yyyy-mm-dd" pattern="\d{4}-\d{2}-\d{2}" maxLength={10} data-testid="train-start_date" />
        </Field>
        <Field label="End date" htmlFor="train-end_date" error={errors.end_date}>
          <input {...field('end_date')} type="text" placeholder="yyyy-mm-dd" pattern="\d{4}-\d{2}-\d{2}" maxLength={10} data-testid="train-end_date" />
        </Field>
      </div>
      <div className="form-actions">
        <button className="btn primary" type="submit" disabled={busy} data-testid="train-submit">
          {busy ? 'Starting…' : 'Start training'}
        </button>
        <p className="error" role="alert" data-testid="train-server-error">
          {serverMessage ?? ''}
        </p>
      </div>
    </form>
  );
}
