import { useEffect, useState } from 'react';
import { useFormSubmission } from '../hooks/useFormSubmission';
import { useSession } from '../stores/session';
import { api } from '../api/client';
import { backtestStartRequest, DEFAULT_PORTFOLIO_FIELDS, splitList, TIMEFRAMES, validateBacktestForm, type BacktestForm as Form, type FieldErrors } from '../lib/forms';
import { useCatalog } from '../stores/catalog';
import { useOperations } from '../stores/operations';
import { Field } from './Field';
import { PortfolioFields } from './PortfolioFields';
import { StrategySelect } from './StrategySelect';

/** models/<strategy>/<tf>_v<N> → its parts. */
function modelOf(path: string): { strategy: string; timeframe: string } | null {
  const m = /(?:^|\/)([A-Za-z0-9_-]+)\/([0-9]+[A-Za-z]+)_v[0-9]+$/.exec(path);
  return m ? { strategy: m[1], timeframe: m[2] } : null;
}

export interface BacktestStart {
  id: string;
  symbol: string;
  timeframe: string;
  start_date: string;
  end_date: string;
}

/**
 * Start a backtest: `POST /backtests/start` with the model version chosen from `GET /models`; several
 * symbols start one portfolio (`POST /backtests/portfolio/start`, the model applied to every leg).
 */
export function BacktestForm({ onStarted }: { onStarted(s: BacktestStart): void }) {
  const [f, setF] = useState<Form>(() => ({ ...{ strategy_name: '', model_path: '', symbol: '', timeframe: '1d', start_date: '', end_date: '', initial_capital: '100000', commission: '', slippage: '', ...DEFAULT_PORTFOLIO_FIELDS }, ...(useSession.getState().backtestForm as Partial<Form> | null) }));
  useEffect(() => useSession.getState().set({ backtestForm: { ...f } }), [f]);
  const strategies = useCatalog((s) => s.strategies.items);
  const models = useCatalog((s) => s.models);
  const loadModels = useCatalog((s) => s.loadModels);
  useEffect(() => void loadModels(true), [loadModels]);

  // Choosing a strategy: its symbol, and its timeframe unless a model of it is already chosen (the
  // model's timeframe wins); a model of another strategy is dropped.
  useEffect(() => {
    const s = strategies.find((x) => x.name === f.strategy_name);
    if (!s) return;
    setF((p) => {
      const keep = modelOf(p.model_path)?.strategy === s.name;
      const tf = keep ? (modelOf(p.model_path)?.timeframe ?? p.timeframe) : s.timeframe && (TIMEFRAMES as readonly string[]).includes(s.timeframe) ? s.timeframe : p.timeframe;
      return { ...p, symbol: p.symbol || (s.symbol ?? ''), timeframe: tf, model_path: keep ? p.model_path : '' };
    });
  }, [f.strategy_name, strategies]);

  // Only the chosen strategy's models; each version carries its own timeframe.
  const versions = f.strategy_name ? models.items.filter((m) => m.strategy === f.strategy_name) : [];
  function chooseModel(path: string) {
    const m = models.items.find((x) => x.path === path);
    setF((p) => ({ ...p, model_path: path, timeframe: m?.timeframe && (TIMEFRAMES as readonly string[]).includes(m.timeframe) ? m.timeframe : p.timeframe }));
  }
  const input = (k: keyof Form, type = 'text') => ({
    id: `bt-${k}`,
    type,
    value: f[k],
    'data-testid': `bt-${k}`,
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => setF({ ...f, [k]: e.target.value }),
  });

  const portfolio = splitList(f.symbol).length > 1;
  const { errors: raw, serverMessage, busy, submit } = useFormSubmission(validateBacktestForm, async (f: Form) => {
    const { path, body, symbol } = backtestStartRequest(f);
    const r = await api.post<{ operation_id?: string }>(path, body);
    if (!r.operation_id) throw new Error('The server answered without an operation id');
    void useOperations.getState().refresh(r.operation_id);
    onStarted({ id: r.operation_id, symbol, timeframe: f.timeframe, start_date: f.start_date, end_date: f.end_date });
  });
  // A portfolio's 422 names its own fields (symbols.N, max_gross_exposure): shown beside the form's.
  const errors: FieldErrors = { ...raw, symbol: raw.symbol ?? raw.symbols, max_gross: raw.max_gross ?? raw.max_gross_exposure };

  return (
    <form className="panel" onSubmit={(e) => submit(e, f)} noValidate data-testid="backtest-form">
      <h2>New backtest</h2>
      <div className="form-grid">
        <Field label="Strategy" htmlFor="bt-strategy_name" error={errors.strategy_name}>
          <StrategySelect id="bt-strategy_name" value={f.strategy_name} onChange={(v) => setF({ ...f, strategy_name: v })} />
        </Field>
        <Field label="Model version" htmlFor="bt-model_path" error={errors.model_path}>
          <select id="bt-model_path" value={f.model_path} onChange={(e) => chooseModel(e.target.value)} data-testid="bt-model_path">
            <option value="">{models.error ? 'Models unavailable — latest' : versions.length ? 'Latest' : 'No trained model'}</option>
            {f.model_path && !versions.some((m) => m.path === f.model_path) && <option value={f.model_path}>{f.model_path.replace(/^models\//, '')}</option>}
            {versions.map((m) => (
              <option key={m.path} value={m.path}>
                {m.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Symbol (several: one portfolio)" htmlFor="bt-symbol" error={errors.symbol}>
          <input {...input('symbol')} placeholder="EURUSD or EURUSD, AAPL, SPY" />
        </Field>
        <Field label="Timeframe" htmlFor="bt-timeframe" error={errors.timeframe}>
          <select id="bt-timeframe" value={f.timeframe} onChange={(e) => setF({ ...f, timeframe: e.target.value })} data-testid="bt-timeframe" disabled={!!f.model_path} title={f.model_path ? 'The chosen model sets the timeframe' : undefined}>
            {TIMEFRAMES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </Field>
        <Field label="Start date" htmlFor="bt-start_date" error={errors.start_date}>
          <input {...input('start_date')} placeholder="yyyy-mm-dd" maxLength={10} />
        </Field>
        <Field label="End date" htmlFor="bt-end_date" error={errors.end_date}>
          <input {...input('end_date')} placeholder="yyyy-mm-dd" maxLength={10} />
        </Field>
        <Field label="Initial capital" htmlFor="bt-initial_capital" error={errors.initial_capital}>
          <input {...input('initial_capital')} inputMode="decimal" />
        </Field>
        <Field label="Commission (fraction)" htmlFor="bt-commission" error={errors.commission}>
          <input {...input('commission')} inputMode="decimal" placeholder="instrument default" />
        </Field>
        <Field label="Slippage (fraction)" htmlFor="bt-slippage" error={errors.slippage}>
          <input {...input('slippage')} inputMode="decimal" placeholder="instrument default" />
        </Field>
        {portfolio && <PortfolioFields prefix="bt" value={f} onChange={(p) => setF({ ...f, ...p })} errors={errors} />}
      </div>
      <div className="form-actions">
        <button className="btn primary" type="submit" disabled={busy} data-testid="bt-submit">
          {busy ? 'Starting…' : portfolio ? 'Run portfolio backtest' : 'Run backtest'}
        </button>
        <p className="error" role="alert" data-testid="bt-server-error">
          {serverMessage ?? ''}
        </p>
      </div>
    </form>
  );
}
