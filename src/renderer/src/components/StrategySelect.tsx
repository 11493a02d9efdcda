import { useEffect } from 'react';
import { useCatalog } from '../stores/catalog';

/**
 * The strategy name: suggestions from `GET /strategies/`, typed freely when the list is
 * unavailable (the server validates the name either way).
 */
export function StrategySelect({ id, value, onChange }: { id: string; value: string; onChange(name: string): void }) {
  const { items, loaded, error } = useCatalog((s) => s.strategies);
  const load = useCatalog((s) => s.loadStrategies);
  useEffect(() => void load(), [load]);
  return (
    <>
      <input
        id={id}
        list={`${id}-list`}
        value={value}
        onChange={(e) => onChange(e.target.value.trim())}
        placeholder={!loaded ? 'Loading…' : items.length ? 'Choose a strategy' : 'Strategy name'}
        autoComplete="off"
        data-testid={id}
        title={error ? `Could not list strategies: ${error}` : undefined}
      />
      <datalist id={`${id}-list`}>
        {items.map((s) => (
          <option key={s.name} value={s.name}>
            {s.description ?? ''}
          </option>
        ))}
      </datalist>
    </>
  );
}
