// Lists that forms choose from (strategies, models), each read once and on demand again.
import { create } from 'zustand';
import { api } from '../api/client';
import { parseModels, parseStrategies, type ModelInfo, type StrategyInfo } from '../lib/shapes';

export interface Listing<T> {
  items: T[];
  loaded: boolean;
  error: string | null;
}

interface CatalogState {
  strategies: Listing<StrategyInfo>;
  models: Listing<ModelInfo>;
  loadStrategies(force?: boolean): Promise<void>;
  loadModels(force?: boolean): Promise<void>;
}

const empty = <T>(): Listing<T> => ({ items: [], loaded: false, error: null });

type Key = 'strategies' | 'models';
const loading = new Set<Key>();

export const useCatalog = create<CatalogState>((set, get) => {
  async function load<T>(key: Key, path: string, parse: (b: unknown) => T[], force: boolean): Promise<void> {
    if (loading.has(key) || (!force && get()[key].loaded)) return;
    loading.add(key);
    try {
      const items = parse(await api.get(path));
      set({ [key]: { items, loaded: true, error: null } } as Partial<CatalogState>);
    } catch (e) {
      set({ [key]: { items: [], loaded: true, error: `${path}: ${(e as Error).message}` } } as Partial<CatalogState>);
    } finally {
      loading.delete(key);
    }
  }
  return {
    strategies: empty(),
    models: empty(),
    loadStrategies: (force = false) => load('strategies', '/strategies/', parseStrategies, force),
    loadModels: (force = false) => load('models', '/models', parseModels, force),
  };
});
