import type { OperationInfo } from '../shared/operations';
import { isTerminal } from '../shared/operations';
import { printJson } from './format';
import type { KtrdrHttpClient } from './http';

export interface FollowOptions {
  json?: boolean;
  intervalMs?: number;
  /** Called with each new metric record (e.g. to print an epoch line). */
  onMetric?: (m: Record<string, unknown>) => string | null;
  /** Also watch the operation's children (experiments): one line whenever a child changes status. */
  children?: boolean;
  /** Not a terminal: at most one progress line per this many ms (default 5000), so a file stays readable. */
  plainEveryMs?: number;
}

// One status line redrawn in place: carriage return + "erase line", never longer than the terminal is
// wide (a wrapped line cannot be erased by \r, which is what left stale bars in tmux).
const CLEAR = '\r\x1b[2K';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/** " [#####-----]  42.0% | step", cut to fit `columns` − 1 characters. */
export function statusLine(percentage: number, step: string, columns: number): string {
  const width = 20;
  const filled = Math.max(0, Math.min(width, Math.round((percentage / 100) * width)));
  const line = ` [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percentage.toFixed(1).padStart(5)}% | ${step.replace(/\s+/g, ' ')}`;
  const max = Math.max(10, columns - 1);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Draws and clears the in-place status line on a TTY stream. */
export class StatusLine {
  private shown = false;
  constructor(private readonly out: NodeJS.WriteStream) {}
  draw(percentage: number, step: string): void {
    this.out.write(`${this.shown ? CLEAR : HIDE_CURSOR}${statusLine(percentage, step, this.out.columns || 80)}`);
    this.shown = true;
  }
  /** Prints a whole line above the status line (which is redrawn by the next draw). */
  print(line: string): void {
    this.out.write(`${this.shown ? CLEAR : ''}${line}\n`);
    this.shown = false;
  }
  /** Removes the status line and gives the cursor back. */
  clear(): void {
    if (this.shown) this.out.write(CLEAR);
    this.out.write(SHOW_CURSOR);
    this.shown = false;
  }
}

interface MetricsPage {
  metrics: Record<string, unknown>[];
  new_cursor: number;
  /** Which run of the job the history belongs to (scale-out: 2 after a takeover…). */
  attempt?: number;
}

/**
 * The checkpoint run `attempt` continued from (`metadata.resumed_from`: set by a takeover for its
 * attempt, by POST …/resume without one; removed by a takeover that started again), else null.
 */
function resumedBy(info: OperationInfo, attempt: number): { checkpoint_type?: unknown; epoch: number; batch?: unknown } | null {
  const r = info.metadata.resumed_from as { attempt?: unknown; epoch?: unknown } | undefined;
  return r && (r.attempt === undefined || r.attempt === attempt) && typeof r.epoch === 'number' ? (r as { epoch: number }) : null;
}

/** The one line a follower prints when a scale-out takeover moved the job to attempt `to`. */
export function takeoverLine(info: OperationInfo, from: number, to: number): string {
  const worker = typeof info.metadata.worker === 'string' && info.metadata.attempt === to ? ` on worker ${info.metadata.worker}` : '';
  const r = resumedBy(info, to);
  const where = r
    ? `resumed from the ${typeof r.checkpoint_type === 'string' ? `${r.checkpoint_type} ` : ''}checkpoint at epoch ${r.epoch}${typeof r.batch === 'number' && r.batch > 0 ? ` batch ${r.batch}` : ''}`
    : 'started again from the beginning';
  return `Takeover: attempt ${from} lost its worker; attempt ${to}${worker} took the job over and ${where}`;
}

/** "trial 3" / "fold 2" / "final holdout, trial 2" / the operation type: how a child is named in follow lines. */
function childName(c: { operation_type: string; metadata?: Record<string, unknown> | null }): string {
  const m = c.metadata ?? {};
  if (typeof m.fold === 'number') return `fold ${m.fold + 1} ${c.operation_type}`;
  if (typeof m.trial === 'number') return `${m.final === true ? 'final holdout, ' : ''}trial ${m.trial + 1} ${c.operation_type}`;
  return c.operation_type;
}

interface ChildSummary {
  operation_id: string;
  operation_type: string;
  status: string;
  metadata?: Record<string, unknown> | null;
  error_message?: string | null;
}

/** Lines for children whose status changed since the last poll (`seen` is updated). */
export function childLines(children: ChildSummary[], seen: Map<string, string>): string[] {
  const out: string[] = [];
  for (const c of children) {
    if (seen.get(c.operation_id) === c.status) continue;
    seen.set(c.operation_id, c.status);
    out.push(`  ${childName(c)} ${c.status}${c.error_message ? `: ${c.error_message}` : ''} (${c.operation_id})`);
  }
  return out;
}

/** Plain progress lines for a stream that is not a terminal: a new text, at most once per `everyMs`. */
export class PlainProgress {
  private last = '';
  private at = -Infinity;
  constructor(private readonly everyMs: number) {}
  line(percentage: number, step: string, now = Date.now()): string | null {
    if (step === this.last || now - this.at < this.everyMs) return null;
    this.last = step;
    this.at = now;
    return `[${percentage.toFixed(1).padStart(5)}%] ${step}`;
  }
}

/**
 * Polls an operation until it ends, the same way for every command: a status line redrawn in place
 * on a terminal (stderr), plain lines (throttled, never a redraw) when stderr is a file or a pipe,
 * new metrics by cursor, children's status changes for experiments; a scale-out takeover (the
 * metrics' attempt changes) is announced in one line. Ctrl+C clears the line, cancels
 * the operation (DELETE) and waits for it to end; a second Ctrl+C leaves at once. Either way the
 * terminal is clean before the prompt returns.
 */
export async function followOperation(client: KtrdrHttpClient, id: string, opts: FollowOptions = {}): Promise<OperationInfo> {
  const interval = opts.intervalMs ?? 1000;
  const tty = Boolean(process.stderr.isTTY) && !opts.json;
  const status = tty ? new StatusLine(process.stderr) : null;
  const plain = !tty && !opts.json ? new PlainProgress(opts.plainEveryMs ?? 5000) : null;
  const seen = new Map<string, string>();
  let cursor = 0;
  let cancelling = false;
  const onSigint = () => {
    status?.clear();
    if (cancelling) {
      process.stderr.write('Stopped following; the operation may still be cancelling.\n');
      process.exit(130);
    }
    cancelling = true;
    process.stderr.write(`Cancelling ${id}${opts.children ? ' and its children' : ''}...\n`);
    client.delete(`/operations/${id}`, { reason: 'Cancelled from the CLI (Ctrl+C)' }).catch(() => undefined);
  };
  const onExit = () => status?.clear();
  process.on('SIGINT', onSigint);
  process.on('exit', onExit);
  let attempt: number | null = null;
  const print = (line: string) => {
    if (opts.json) return;
    if (status) status.print(line);
    else process.stderr.write(`${line}\n`);
  };
  try {
    for (;;) {
      let { data } = await client.get<{ data: OperationInfo }>(`/operations/${id}`);
      const page = (from: number) => client.get<MetricsPage>(`/operations/${id}/metrics?cursor=${from}`);
      let m = await page(cursor);
      if (m.attempt !== undefined && attempt !== null && m.attempt !== attempt) {
        // Another run of the job replaced the history from the checkpoint it resumed from (or from
        // the start): the lines for the epochs it keeps stay, the rest are read again.
        if (data.metadata.attempt !== m.attempt) data = (await client.get<{ data: OperationInfo }>(`/operations/${id}`)).data;
        if (m.attempt > attempt) print(takeoverLine(data, attempt, m.attempt));
        m = await page(Math.min(cursor, resumedBy(data, m.attempt)?.epoch ?? 0));
      }
      if (m.attempt !== undefined) attempt = m.attempt;
      cursor = m.new_cursor;
      for (const rec of m.metrics) {
        const line = opts.onMetric?.(rec);
        if (line) print(line);
      }
      if (opts.children) {
        const kids = await client.get<{ data: ChildSummary[] }>(`/operations/${id}/children`).catch(() => ({ data: [] as ChildSummary[] }));
        for (const line of childLines(kids.data ?? [], seen)) print(line);
      }
      const step = cancelling ? `cancelling · ${data.progress.current_step ?? data.status}` : (data.progress.current_step ?? data.status);
      if (isTerminal(data.status)) {
        status?.clear();
        return data;
      }
      if (status) status.draw(Math.round(data.progress.percentage * 10) / 10, step);
      else {
        const line = plain?.line(data.progress.percentage, step);
        if (line) process.stderr.write(`${line}\n`);
      }
      await new Promise((r) => setTimeout(r, interval));
    }
  } finally {
    status?.clear();
    process.off('SIGINT', onSigint);
    process.off('exit', onExit);
  }
}

/** Exit code of a followed operation: 0 completed, 1 failed, 130 cancelled (as after Ctrl+C). */
export function exitCodeFor(info: OperationInfo): number {
  return info.status === 'completed' ? 0 : info.status === 'cancelled' ? 130 : 1;
}

/** A start route's answer: KTRDR's flat shape (training names the id task_id). */
export interface StartedOperation {
  operation_id?: string;
  task_id?: string;
  message: string;
  warnings?: string[];
}

export interface StartedOptions {
  follow?: boolean;
  json?: boolean;
  /** The first stdout line when not following (default: the server's message, then `Operation ID: <id>`). */
  announce?: (id: string) => string;
}

/**
 * What every command does after it started an operation: without --follow print the id (or the
 * answer as JSON) and return; with --follow follow it (followOperation), set the exit code, then
 * hand the final reading to `done` (which prints the outcome, as JSON with --json).
 */
export async function afterStart(client: KtrdrHttpClient, started: StartedOperation, o: StartedOptions, done: (info: OperationInfo) => Promise<void> | void, follow: FollowOptions = {}): Promise<void> {
  const id = started.operation_id ?? started.task_id;
  if (!id) throw new Error('The server answered without an operation id');
  if (!o.json) for (const w of started.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  if (!o.follow) {
    if (o.json) return printJson(started);
    process.stdout.write(`${o.announce ? o.announce(id) : `${started.message}\nOperation ID: ${id}`}\nFollow it with: ktrdr follow ${id}\n`);
    return;
  }
  if (!o.json) process.stderr.write(`${o.announce ? o.announce(id) : `${started.message} (${id})`}\n`);
  const info = await followOperation(client, id, { intervalMs: 300, ...follow, json: o.json });
  process.exitCode = exitCodeFor(info);
  await done(info);
}
