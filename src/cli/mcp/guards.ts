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

export interface BudgetLimits {
  /** Operations of this session that may be pending or running at once. */
  maxConcurrent: number;
  /** Wall-clock minutes of training-type operations this session may use in total. */
  maxTrainingMinutes: number;
}

interface Tracked {
  id: string;
  type: string;
  status: OperationStatus;
  startedAt: number | null;
  completedAt: number | null;
}

export interface OperationState {
  operation_type: string;
  status: OperationStatus;
  started_at: string | null;
  completed_at: string | null;
}

const ms = (iso: string | null) => (iso ? Date.parse(iso) : null);

/** The operations one MCP session started, and what they have used of its budget. */
export class SessionBudget {
  private readonly ops = new Map<string, Tracked>();
  /** Training time of earlier runs of operations that were resumed since (their started_at restarts). */
  private carriedMs = 0;

  constructor(
    readonly limits: BudgetLimits,
    private readonly fetchState: (id: string) => Promise<OperationState>,
    private readonly now: () => number = Date.now,
  ) {}

  owns(id: string): boolean {
    return this.ops.has(id);
  }

  ids(): string[] {
    return [...this.ops.keys()];
  }

  record(id: string, type: string): void {
    this.ops.set(id, { id, type, status: 'pending', startedAt: null, completedAt: null });
  }

  /** One of this session's operations was resumed under its id: active again, the minutes it used so far still count. */
  resumed(id: string): void {
    const t = this.ops.get(id);
    if (!t) return;
    if (t.startedAt !== null && TRAINING_TYPES.has(t.type)) this.carriedMs += (t.completedAt ?? this.now()) - t.startedAt;
    Object.assign(t, { status: 'pending', startedAt: null, completedAt: null });
  }

  /** Re-reads every operation of the session that had not finished. */
  async refresh(): Promise<void> {
    await Promise.all(
      [...this.ops.values()]
        .filter((t) => !isTerminal(t.status))
        .map(async (t) => {
          try {
            const s = await this.fetchState(t.id);
            t.status = s.status;
            t.startedAt = ms(s.started_at);
            t.completedAt = ms(s.completed_at);
          } catch {
            // unreachable for now: keep the last known state (counts as active, the safe side)
          }
        }),
    );
  }

  active(): Tracked[] {
    return [...this.ops.values()].filter((t) => !isTerminal(t.status));
  }

  trainingMinutes(): number {
    let total = this.carriedMs / 60_000;
    for (const t of this.ops.values()) {
      if (!TRAINING_TYPES.has(t.type) || t.startedAt === null) continue;
      total += ((t.completedAt ?? this.now()) - t.startedAt) / 60_000;
    }
    return total;
  }

  /** Throws GuardError when starting one more operation of `type` would exceed the budget. */
  async admit(type: string): Promise<void> {
    await this.refresh();
    const active = this.active();
    if (active.length >= this.limits.maxConcurrent)
      throw new GuardError(
        `Refused: this MCP session's budget allows ${this.limits.maxConcurrent} concurrent operation(s) and ${active.length} are running (${active.map((a) => a.id).join(', ')}); wait for one to finish or cancel it`,
      );
    const used = this.trainingMinutes();
    if (TRAINING_TYPES.has(type) && used >= this.limits.maxTrainingMinutes)
      throw new GuardError(`Refused: this MCP session has used ${used.toFixed(2)} of its ${this.limits.maxTrainingMinutes} training minutes`);
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
      active_operations: active.map((a) => a.id),
      max_training_minutes: this.limits.maxTrainingMinutes,
      training_minutes_used: Math.round(this.trainingMinutes() * 1000) / 1000,
      operations_started: this.ids(),
    };
  }
}
