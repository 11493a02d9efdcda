// Operations as the renderer knows them, and the ONE poller that keeps the active ones fresh.
// Pull-based (DESIGN.md §2): the poller asks `GET /operations/{id}` for each watched operation that
// is pending/running, once per TTL (1 s), only while the page is visible; it never asks about a
// terminal operation and stops by itself when nothing watched is active.
import { create } from 'zustand';
import { isTerminal, type OperationInfo, type OperationStatus, type OperationSummary, type OperationType } from '../../../shared/operations';
import { api, ApiError, uiName } from '../api/client';
import { Poller } from '../lib/poller';
import { useMetrics } from './metrics';

export const POLL_INTERVAL_MS = 1000;

/** What the list gives (summary) and what the detail adds (full info): one record per operation. */
export type OperationView = OperationSummary & Partial<OperationInfo>;

export interface OperationFilters {
  type: OperationType | '';
  status: OperationStatus | '';
}

interface OperationsState {
  ops: Record<string, OperationView>;
  /** Ids of the last list answer, newest first. */
  listIds: string[];
  totalCount: number;
  filters: OperationFilters;
  listLoading: boolean;
  listError: string | null;
  /** The list view is on screen: its active operations are polled too. */
  listWatched: boolean;
  selectedId: string | null;
  /** Reference counts of the operations some view shows. */
  watched: Record<string, number>;
  cancelErrors: Record<string, string>;

  setFilters(f: Partial<OperationFilters>): void;
  loadList(): Promise<void>;
  setListWatched(on: boolean): void;
  select(id: string | null): void;
  watch(id: string): () => void;
  /** Reads one operation now (on selection, after a start or a cancel). */
  refresh(id: string): Promise<OperationView | null>;
  upsert(op: OperationView): void;
  cancel(id: string, reason?: string): Promise<void>;
}

function summaryFields(o: OperationView): OperationView {
  const pct = o.progress?.percentage ?? o.progress_percentage ?? 0;
  return {
    ...o,
    progress_percentage: pct,
    current_step: o.progress?.current_step ?? o.current_step ?? null,
    symbol: o.metadata?.symbol ?? o.symbol ?? null,
  } as OperationView;
}

function metricsCount(o: OperationView): number | null {
  const m = o.metrics as { count?: number } | undefined;
  return typeof m?.count === 'number' ? m.count : null;
}

const visible = () => typeof document === 'undefined' || document.visibilityState !== 'hidden';

export const useOperations = create<OperationsState>((set, get) => ({
  ops: {},
  listIds: [],
  totalCount: 0,
  filters: { type: '', status: '' },
  listLoading: false,
  listError: null,
  listWatched: false,
  selectedId: null,
  watched: {},
  cancelErrors: {},

  setFilters(f) {
    set((s) => ({ filters: { ...s.filters, ...f } }));
    void get().loadList();
  },

  async loadList() {
    const { type, status } = get().filters;
    const q = new URLSearchParams({ limit: '100' });
    if (type) q.set('operation_type', type);
    if (status) q.set('status', status);
    set({ listLoading: true });
    try {
      const r = await api.get<{ data?: OperationSummary[]; operations?: OperationSummary[]; total_count?: number }>(`/operations?${q}`);
      const items = r.data ?? r.operations ?? [];
      set((s) => {
        const ops = { ...s.ops };
        for (const it of items) {
          const prev = ops[it.operation_id];
          // A terminal copy we hold is final (sticky); otherwise the list's newer fields win, detail fields stay.
          ops[it.operation_id] = prev && isTerminal(prev.status) ? prev : summaryFields({ ...prev, ...(it as OperationView) });
        }
        return { ops, listIds: items.map((i) => i.operation_id), totalCount: r.total_count ?? items.length, listLoading: false, listError: null };
      });
    } catch (e) {
      set({ listLoading: false, listError: (e as Error).message });
    }
    poller.kick();
  },

  setListWatched(on) {
    set({ listWatched: on });
    poller.kick();
  },

  select(id) {
    // The detail pane watches the selected operation, which reads it once.
    set({ selectedId: id });
  },

  watch(id) {
    set((s) => ({ watched: { ...s.watched, [id]: (s.watched[id] ?? 0) + 1 } }));
    if (!get().ops[id]?.metrics) void get().refresh(id);
    poller.kick();
    return () => {
      set((s) => {
        const n = (s.watched[id] ?? 1) - 1;
        const watched = { ...s.watched };
        if (n > 0) watched[id] = n;
        else delete watched[id];
        return { watched };
      });
      poller.kick();
    };
  },

  async refresh(id) {
    try {
      const r = await api.get<{ data: OperationInfo }>(`/operations/${encodeURIComponent(id)}`);
      get().upsert(r.data as OperationView);
      return get().ops[id];
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) set((s) => ({ cancelErrors: { ...s.cancelErrors, [id]: `Operation not found: ${id}` } }));
      return null;
    } finally {
      poller.kick();
    }
  },

  upsert(op) {
    set((s) => {
      const prev = s.ops[op.operation_id];
      // Terminal states are sticky: a late answer from before the end never revives an operation.
      if (prev && isTerminal(prev.status) && !isTerminal(op.status)) return {};
      const listIds = s.listIds.includes(op.operation_id) || !matches(op, s.filters) ? s.listIds : [op.operation_id, ...s.listIds];
      return { ops: { ...s.ops, [op.operation_id]: summaryFields({ ...prev, ...op }) }, listIds };
    });
    const cur = get().ops[op.operation_id];
    void useMetrics.getState().pullIfBehind(op.operation_id, cur.status, metricsCount(cur));
    poller.kick();
  },

  async cancel(id, reason = `Cancelled from ${uiName()}`) {
    set((s) => {
      const cancelErrors = { ...s.cancelErrors };
      delete cancelErrors[id];
      return { cancelErrors };
    });
    try {
      await api.delete(`/operations/${encodeURIComponent(id)}`, { reason });
    } catch (e) {
      set((s) => ({ cancelErrors: { ...s.cancelErrors, [id]: (e as Error).message } }));
    }
    await get().refresh(id);
  },
}));

function matches(op: OperationView, f: OperationFilters): boolean {
  return (!f.type || op.operation_type === f.type) && (!f.status || op.status === f.status);
}

/** Operations the poller must read on its next tick. */
export function activeWatchedIds(s: Pick<OperationsState, 'ops' | 'watched' | 'listWatched' | 'listIds'>): string[] {
  const ids = new Set(Object.keys(s.watched));
  if (s.listWatched) for (const id of s.listIds) ids.add(id);
  return [...ids].filter((id) => {
    const op = s.ops[id];
    return !op || !isTerminal(op.status);
  });
}

const poller = new Poller({
  intervalMs: POLL_INTERVAL_MS,
  shouldRun: () => visible() && activeWatchedIds(useOperations.getState()).length > 0,
  tick: async () => {
    const ids = activeWatchedIds(useOperations.getState());
    await Promise.all(ids.map((id) => useOperations.getState().refresh(id)));
  },
});

if (typeof document !== 'undefined') {
  document.addEventListener('visibilitychange', () => {
    // Back on screen: show the present at once (one read), then resume the cadence.
    if (visible()) for (const id of activeWatchedIds(useOperations.getState())) void useOperations.getState().refresh(id);
    poller.kick();
  });
}

/** For tests and diagnostics. */
export function pollerRunning(): boolean {
  return poller.running;
}
