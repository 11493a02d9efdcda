// Metrics histories by cursor (`GET /operations/{id}/metrics?cursor=N`): each feed keeps its records
// and the cursor of the next unseen one, so a chart receives only new records. The operations
// poller asks `pullIfBehind` after each refresh; nothing here runs a timer of its own.
import { create } from 'zustand';
import { isTerminal, type MetricRecord, type OperationStatus } from '../../../shared/operations';
import { api } from '../api/client';

export interface MetricsFeed {
  cursor: number;
  records: MetricRecord[];
  error: string | null;
  /** The history is complete: the operation was terminal when it was last read. */
  final: boolean;
  /** Which run of the job the records belong to (a scale-out takeover replaces the history). */
  attempt?: number;
}

interface MetricsState {
  feeds: Record<string, MetricsFeed>;
  subscribers: Record<string, number>;
  subscribe(id: string): () => void;
  pull(id: string, terminal?: boolean): Promise<void>;
  /** Pulls when the operation reports more metrics than we hold, or once more after it ends. */
  pullIfBehind(id: string, status: OperationStatus, count: number | null): Promise<void>;
}

const inFlight = new Set<string>();
const emptyFeed = (): MetricsFeed => ({ cursor: 0, records: [], error: null, final: false });

interface MetricsAnswer {
  metrics?: MetricRecord[];
  new_cursor?: number;
  attempt?: number;
}

export const useMetrics = create<MetricsState>((set, get) => ({
  feeds: {},
  subscribers: {},

  subscribe(id) {
    set((s) => ({ subscribers: { ...s.subscribers, [id]: (s.subscribers[id] ?? 0) + 1 } }));
    if (!get().feeds[id]) void get().pull(id);
    return () => set((s) => ({ subscribers: { ...s.subscribers, [id]: Math.max(0, (s.subscribers[id] ?? 1) - 1) } }));
  },

  async pull(id, terminal = false) {
    if (inFlight.has(id)) return;
    inFlight.add(id);
    const feed = get().feeds[id] ?? emptyFeed();
    let replaced = false;
    try {
      const r = await api.get<MetricsAnswer>(`/operations/${encodeURIComponent(id)}/metrics?cursor=${feed.cursor}`);
      const fresh = Array.isArray(r.metrics) ? r.metrics : [];
      if (typeof r.attempt === 'number' && feed.attempt !== undefined && r.attempt !== feed.attempt) {
        // Another attempt replaced the history: drop ours and read the new one from the start.
        set((s) => ({ feeds: { ...s.feeds, [id]: { ...emptyFeed(), attempt: r.attempt } } }));
        replaced = true;
      } else {
        set((s) => {
          const cur = s.feeds[id] ?? emptyFeed();
          // Another pull may have advanced the cursor meanwhile: keep only records past it.
          const skip = Math.max(0, cur.cursor - feed.cursor);
          const add = fresh.slice(skip);
          const cursor = typeof r.new_cursor === 'number' ? Math.max(cur.cursor, r.new_cursor) : cur.cursor + add.length;
          return { feeds: { ...s.feeds, [id]: { cursor, records: add.length ? cur.records.concat(add) : cur.records, error: null, final: terminal, attempt: r.attempt ?? cur.attempt } } };
        });
      }
    } catch (e) {
      set((s) => ({ feeds: { ...s.feeds, [id]: { ...(s.feeds[id] ?? emptyFeed()), error: (e as Error).message } } }));
    } finally {
      inFlight.delete(id);
    }
    if (replaced) await get().pull(id, terminal);
  },

  async pullIfBehind(id, status, count) {
    if (!get().subscribers[id]) return;
    const feed = get().feeds[id];
    if (!feed) return get().pull(id, isTerminal(status));
    if (feed.final) return;
    // Fewer records than we hold: a new attempt of the job replaced the history (pull sees its attempt change).
    const behind = count === null ? !isTerminal(status) : count !== feed.cursor;
    if (behind || isTerminal(status)) await get().pull(id, isTerminal(status));
  },
}));
