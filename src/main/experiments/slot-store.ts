// Persisted experiment state: one row per slot (a fold's training, a trial's holdout backtest, the
// plan, a trial's sampled parameters). A slot is written once (INSERT OR IGNORE): a resumed or
// re-notified experiment can never count a child twice.
import type { Db } from '../store/database';

export type SlotStatus = 'completed' | 'failed' | 'cancelled' | 'skipped' | 'data';

export interface SlotRecord {
  slot: string;
  child_id: string | null;
  status: SlotStatus;
  /** What the kind recorded: a child summary (child-requests.ts), a plan, a trial's spec, or {error}. */
  data: unknown;
  recorded_at: string;
}

/** JSON of a slot's data; a NaN or ±∞ is refused (JSON would turn it into a null without a reason). */
const toJson = (v: unknown) =>
  JSON.stringify(v, (k, x: unknown) => {
    if (typeof x === 'number' && !Number.isFinite(x)) throw new Error(`Experiment slot data hold a non-finite number at '${k}' (${x})`);
    return x;
  });

/** The error a failed, cancelled or skipped slot recorded ({error: "…"}), else null. */
export function slotError(rec: SlotRecord | undefined): string | null {
  const d = rec?.data;
  return d && typeof d === 'object' && 'error' in d && typeof d.error === 'string' ? d.error : null;
}

export class ExperimentSlots {
  constructor(private readonly db: Db) {}

  /** Records a slot's outcome; false (and nothing written) when that slot was already recorded. */
  record(parentId: string, slot: string, childId: string | null, status: SlotStatus, data: unknown): boolean {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO experiment_slots (parent_id, slot, child_id, status, data_json, recorded_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(parentId, slot, childId, status, toJson(data ?? null), new Date().toISOString());
    return r.changes === 1;
  }

  all(parentId: string): Map<string, SlotRecord> {
    const rows = this.db.prepare('SELECT slot, child_id, status, data_json, recorded_at FROM experiment_slots WHERE parent_id = ?').all(parentId) as {
      slot: string;
      child_id: string | null;
      status: SlotStatus;
      data_json: string;
      recorded_at: string;
    }[];
    return new Map(rows.map((r) => [r.slot, { slot: r.slot, child_id: r.child_id, status: r.status, data: JSON.parse(r.data_json) as unknown, recorded_at: r.recorded_at }]));
  }

  get(parentId: string, slot: string): SlotRecord | undefined {
    return this.all(parentId).get(slot);
  }
}
