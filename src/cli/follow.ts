import type { OperationInfo } from '../shared/operations';
import { isTerminal } from '../shared/operations';
import type { KtrdrHttpClient } from './http';

export interface FollowOptions {
  json?: boolean;
  intervalMs?: number;
  /** Called with each new metric record (e.g. to print an epoch line). */
  onMetric?: (m: Record<string, unknown>) => string | null;
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

/**
 * Polls an operation until it ends, drawing a status line (stderr, in place) and fetching new metrics
 * by cursor. Ctrl+C clears the line, cancels the operation (DELETE) and waits for it to end; a second
 * Ctrl+C leaves at once. Either way the terminal is clean before the prompt returns.
 */
export async function followOperation(client: KtrdrHttpClient, id: string, opts: FollowOptions = {}): Promise<OperationInfo> {
  const interval = opts.intervalMs ?? 1000;
  const tty = Boolean(process.stderr.isTTY) && !opts.json;
  const status = tty ? new StatusLine(process.stderr) : null;
  let cursor = 0;
  let cancelling = false;
  const onSigint = () => {
    status?.clear();
    if (cancelling) {
      process.stderr.write('Stopped following; the operation may still be cancelling.\n');
      process.exit(130);
    }
    cancelling = true;
    process.stderr.write(`Cancelling ${id}...\n`);
    client.delete(`/operations/${id}`, { reason: 'Cancelled from the CLI (Ctrl+C)' }).catch(() => undefined);
  };
  const onExit = () => status?.clear();
  process.on('SIGINT', onSigint);
  process.on('exit', onExit);
  let lastLine = '';
  try {
    for (;;) {
      const { data } = await client.get<{ data: OperationInfo }>(`/operations/${id}`);
      const m = await client.get<{ metrics: Record<string, unknown>[]; new_cursor: number }>(`/operations/${id}/metrics?cursor=${cursor}`);
      cursor = m.new_cursor;
      for (const rec of m.metrics) {
        const line = opts.onMetric?.(rec);
        if (!line) continue;
        if (status) status.print(line);
        else process.stderr.write(`${line}\n`);
      }
      const step = cancelling ? `cancelling · ${data.progress.current_step ?? data.status}` : (data.progress.current_step ?? data.status);
      if (isTerminal(data.status)) {
        status?.clear();
        return data;
      }
      if (status) status.draw(Math.round(data.progress.percentage * 10) / 10, step);
      else if (!opts.json && step !== lastLine) {
        process.stderr.write(`[${data.progress.percentage.toFixed(1)}%] ${step}\n`);
        lastLine = step;
      }
      await new Promise((r) => setTimeout(r, interval));
    }
  } finally {
    status?.clear();
    process.off('SIGINT', onSigint);
    process.off('exit', onExit);
  }
}
