import { SIZING_PARAMETER, type SizingRuleType } from '../../../shared/portfolio';
import type { FieldErrors, PortfolioFormFields } from '../lib/forms';
import { Field } from './Field';

const SIZING_LABELS: Record<SizingRuleType, string> = {
  equal_weight: 'Equal weight (max gross ÷ legs)',
  fixed_fraction: 'Fixed fraction of equity',
  volatility_target: 'Volatility target',
  kelly: 'Fractional Kelly (capped)',
};

/**
 * A portfolio's sizing rule (with its headline parameter), cap on gross exposure and rebalancing, for
 * the Backtests form given several symbols and an experiment's portfolio backtests. `prefix` keeps the
 * ids and test ids of the two forms apart.
 */
export function PortfolioFields({ value, onChange, errors = {}, prefix }: { value: PortfolioFormFields; onChange(v: PortfolioFormFields): void; errors?: FieldErrors; prefix: string }) {
  const param = SIZING_PARAMETER[value.sizing];
  const id = (k: string) => `${prefix}-${k}`;
  return (
    <>
      <Field label="Sizing" htmlFor={id('sizing')} error={errors.sizing}>
        <select id={id('sizing')} data-testid={id('sizing')} value={value.sizing} onChange={(e) => onChange({ ...value, sizing: e.target.value as SizingRuleType, sizing_value: '' })}>
          {(Object.keys(SIZING_LABELS) as SizingRuleType[]).map((k) => (
            <option key={k} value={k}>
              {SIZING_LABELS[k]}
            </option>
          ))}
        </select>
      </Field>
      {param && (
        <Field label={param.label} htmlFor={id('sizing_value')} error={errors.sizing_value}>
          <input id={id('sizing_value')} data-testid={id('sizing_value')} inputMode="decimal" placeholder={String(param.default)} value={value.sizing_value} onChange={(e) => onChange({ ...value, sizing_value: e.target.value })} />
        </Field>
      )}
      <Field label="Max gross exposure (× equity)" htmlFor={id('max_gross')} error={errors.max_gross}>
        <input id={id('max_gross')} data-testid={id('max_gross')} inputMode="decimal" value={value.max_gross} onChange={(e) => onChange({ ...value, max_gross: e.target.value })} />
      </Field>
      <Field label="Rebalancing" htmlFor={id('rebalance')} error={errors.rebalance}>
        <select id={id('rebalance')} data-testid={id('rebalance')} value={value.rebalance} onChange={(e) => onChange({ ...value, rebalance: e.target.value as PortfolioFormFields['rebalance'] })}>
          <option value="">none</option>
          <option value="day">every day</option>
          <option value="week">every week</option>
          <option value="month">every month</option>
        </select>
      </Field>
    </>
  );
}
