// What an agent may not do through `ktrdr mcp`, whatever it asks: read or write outside KTRDR_HOME,
// use a name that could escape a folder, or run more (or longer) operations than its session budget.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { NAME_RE } from '../../shared/api-schemas';
import { isTerminal, type OperationStatus } from '../../shared/operations';

/** A refusal the agent sees as a tool error (never reaches the server). */
export class GuardError extends Error {}

export function checkName(value: string, what = 'strategy name'): string {
  if (!NAME_RE.test(value) || value.length > 100) throw new GuardError(`Refused: invalid ${what} '${value}' (letters, digits, '_' and '-' only, starting with a letter or digit)`);
  return value;
}

/** Real path of `p` (or of its closest existing parent, plus the rest), so symlinks cannot leave home. */
function realish(p: string): string {
  let cur = p;
  const rest: string[] = [];
  while (!existsSync(cur)) {
    const parent = dirname(cur);
    if (parent === cur) break;
    rest.unshift(cur.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
    cur = parent;
  }
  const base = existsSync(cur) ? realpathSync(cur) : cur;
  return rest.length ? resolve(base, ...rest) : base;
}

/** Resolves `p` (relative paths are relative to home) and refuses anything outside home. */
export function checkPathInHome(p: string, home: string, what = 'path'): string {
  if (p.includes('\0')) throw new GuardError(`Refused: ${what} contains a NUL byte`);
  const abs = realish(resolve(home, p));
  const root = realish(resolve(home));
  const rel = relative(root, abs);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) return abs;
  throw new GuardError(`Refused: ${what} '${p}' is outside KTRDR_HOME (${root}); the MCP server only reads and writes inside it`);
}

/** Operation types that train models and so spend the session's training minutes. */
export const TRAINING_TYPES: ReadonlySet<string> = new Set(['training', 'walk_forward', 'sweep']);
/** Operations that run children: they hold max_parallel slots of the budget, and their children's training time is theirs. */
export const EXPERIMENT_TYPES: ReadonlySet<string> = new Set(['walk_forward', 'sweep']);

export interface BudgetLimits {
  /** Operations of this session that may be pending or running at once. */
  maxConcurrent: number;
  /** Wall-clock minutes of training-type operations this session may use in total. */
  maxTrainingMinutes: number;
}

interface Tracked {
  id: string;
  type: string;
  /** Concurrent slots it holds: 1, or an experiment's max_parallel (it runs that many children at once). */
  weight: number;
  status: OperationStatus;
  startedAt: number | null;
  completedAt: number | null;
  /** Experiments: minutes of training their children have used (each trial's training counts). */
  childMinutes: number;
  /** Terminal and read once more after that: nothing about it changes any more. */
  settled: boolean;
}

export interface OperationState {
  operation_type: string;
  status: OperationStatus;
  started_at: string | null;
  completed_at: string | null;
}

/** A place in the budget taken before the start request is sent: commit it with the operation id, or release it. */
export interface Reservation {
  commit(id: string): void;
  release(): void;
}

const ms = (iso: string | null) => (iso ? Date.parse(iso) : null);

/**
 * The operations one MCP session started, and what they have used of its budget. A start reserves
 * its place before any await (admit → POST → commit), so parallel tool calls cannot all pass the
 * check before any of them is recorded.
 */
export class SessionBudget {
  private readonly ops = new Map<string, Tracked>();
  private readonly reserved = new Set<{ type: string; weight: number }>();

  /** Training time of earlier runs of operations that were resumed since (their started_at restarts). */
  private carriedMs = 0;

  constructor(
    readonly limits: BudgetLimits,
    private readonly fetchState: (id: string) => Promise<OperationState>,
    private readonly now: () => number = Date.now,
    /** An experiment's children (their training time is the experiment's). */
    private readonly fetchChildren?: (id: string) => Promise<OperationState[]>,
  ) {}

  owns(id: string): boolean {
    return this.ops.has(id);
  }

  ids(): string[] {
    return [...this.ops.keys()];
  }

  record(id: string, type: string, weight = 1): void {
    this.ops.set(id, { id, type, weight, status: 'pending', startedAt: null, completedAt: null, childMinutes: 0, settled: false });
  }

  /** One of this session's operations was resumed under its id: active again, the minutes it used so far still count. */
  resumed(id: string): void {
    const t = this.ops.get(id);
    if (!t) return;
    if (t.startedAt !== null && TRAINING_TYPES.has(t.type)) this.carriedMs += (t.completedAt ?? this.now()) - t.startedAt;
    Object.assign(t, { status: 'pending', startedAt: null, completedAt: null, settled: false });
  }

  /** Re-reads every operation of the session that had not finished. */
  async refresh(): Promise<void> {
    await Promise.all(
      [...this.ops.values()]
        .filter((t) => !t.settled)
        .map(async (t) => {
          try {
            const s = await this.fetchState(t.id);
            t.status = s.status;
            t.startedAt = ms(s.started_at);
            t.completedAt = ms(s.completed_at);
            if (EXPERIMENT_TYPES.has(t.type) && this.fetchChildren) t.childMinutes = this.minutesOf(await this.fetchChildren(t.id));
            t.settled = isTerminal(s.status);
          } catch {
            // unreachable for now: keep the last known state (counts as active, the safe side)
          }
        }),
    );
  }

  private minutesOf(children: OperationState[]): number {
    let total = 0;
    for (const c of children) {
      const start = ms(c.started_at);
      if (c.operation_type !== 'training' || start === null) continue;
      total += ((ms(c.completed_at) ?? this.now()) - start) / 60_000;
    }
    return total;
  }

  active(): Tracked[] {
    return [...this.ops.values()].filter((t) => !isTerminal(t.status));
  }

  /** Slots in use: running operations by weight, plus reservations whose start request is in flight. */
  slotsInUse(): number {
    let n = 0;
    for (const t of this.active()) n += t.weight;
    for (const r of this.reserved) n += r.weight;
    return n;
  }

  trainingMinutes(): number {
    let total = this.carriedMs / 60_000;
    for (const t of this.ops.values()) {
      if (!TRAINING_TYPES.has(t.type) || t.startedAt === null) continue;
      // An experiment's cost is its children's training time (parallel trials add up), at least its own wall time.
      const wall = ((t.completedAt ?? this.now()) - t.startedAt) / 60_000;
      total += EXPERIMENT_TYPES.has(t.type) && this.fetchChildren ? Math.max(wall, t.childMinutes) : wall;
    }
    return total;
  }

  /**
   * Reserves slots for one more operation of `type` (`want`: a number, or chosen from the slots still
   * free), or throws GuardError when that would exceed the budget. Nothing awaits between the check
   * and the reservation.
   */
  async admit(type: string, want: number | ((free: number) => number) = 1): Promise<Reservation & { weight: number }> {
    await this.refresh();
    const used = this.slotsInUse();
    const weight = typeof want === 'number' ? want : Math.max(1, want(Math.max(0, this.limits.maxConcurrent - used)));
    if (used + weight > this.limits.maxConcurrent) {
      const active = this.active();
      const what = weight > 1 ? `this experiment would run ${weight} at once and ` : '';
      throw new GuardError(
        `Refused: this MCP session's budget allows ${this.limits.maxConcurrent} concurrent operation(s); ${what}${used} slot(s) are in use (${active.map((a) => (a.weight > 1 ? `${a.id} ×${a.weight}` : a.id)).join(', ') || 'starts in flight'}); wait for one to finish or cancel it`,
      );
    }
    const minutes = this.trainingMinutes();
    if (TRAINING_TYPES.has(type) && minutes >= this.limits.maxTrainingMinutes)
      throw new GuardError(`Refused: this MCP session has used ${minutes.toFixed(2)} of its ${this.limits.maxTrainingMinutes} training minutes`);
    const r = { type, weight };
    this.reserved.add(r);
    return {
      weight,
      commit: (id) => {
        if (!this.reserved.delete(r)) return;
        this.record(id, type, weight);
      },
      release: () => void this.reserved.delete(r),
    };
  }

  /** Training-type operations still running after the training minutes are spent (to be cancelled). */
  overBudget(): string[] {
    if (this.trainingMinutes() <= this.limits.maxTrainingMinutes) return [];
    return this.active()
      .filter((t) => TRAINING_TYPES.has(t.type))
      .map((t) => t.id);
  }

  summary() {
    const active = this.active();
    return {
      max_concurrent: this.limits.maxConcurrent,
      slots_in_use: this.slotsInUse(),
      active_operations: active.map((a) => a.id),
      max_training_minutes: this.limits.maxTrainingMinutes,
      training_minutes_used: Math.round(this.trainingMinutes() * 1000) / 1000,
      operations_started: this.ids(),
    };
  }
}
