import cliProgress from 'cli-progress';
import type { OperationInfo } from '../shared/operations';
import { isTerminal } from '../shared/operations';
import type { KtrdrHttpClient } from './http';

export interface FollowOptions {
  json?: boolean;
  intervalMs?: number;
  /** Called with each new metric record (e.g. to print an epoch line). */
  onMetric?: (m: Record<string, unknown>) => string | null;
}

/**
 * Polls an operation until it ends, drawing a progress bar (stderr) and fetching new metrics by
 * cursor. Ctrl+C cancels the operation (DELETE) without asking, then waits for it to end.
 */
export async function followOperation(client: KtrdrHttpClient, id: string, opts: FollowOptions = {}): Promise<OperationInfo> {
  const interval = opts.intervalMs ?? 1000;
  const tty = Boolean(process.stderr.isTTY) && !opts.json;
  const bar = tty
    ? new cliProgress.SingleBar({ format: ' {bar} {percentage}% | {step}', hideCursor: true, clearOnComplete: false, stream: process.stderr }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(100, 0, { step: 'starting' });
  let cursor = 0;
  let cancelling = false;
  const onSigint = () => {
    if (cancelling) process.exit(130);
    cancelling = true;
    process.stderr.write(`\nCancelling ${id}...\n`);
    client.delete(`/operations/${id}`, { reason: 'Cancelled from the CLI (Ctrl+C)' }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  let lastLine = '';
  try {
    for (;;) {
      const { data } = await client.get<{ data: OperationInfo }>(`/operations/${id}`);
      const m = await client.get<{ metrics: Record<string, unknown>[]; new_cursor: number }>(`/operations/${id}/metrics?cursor=${cursor}`);
      cursor = m.new_cursor;
      for (const rec of m.metrics) {
        const line = opts.onMetric?.(rec);
        if (line) {
          if (bar) bar.stop();
          process.stderr.write(`${line}\n`);
          if (bar) bar.start(100, data.progress.percentage, { step: data.progress.current_step ?? '' });
        }
      }
      const step = data.progress.current_step ?? data.status;
      if (bar) bar.update(Math.round(data.progress.percentage * 10) / 10, { step });
      else if (!opts.json && step !== lastLine) {
        process.stderr.write(`[${data.progress.percentage.toFixed(1)}%] ${step}\n`);
        lastLine = step;
      }
      if (isTerminal(data.status)) {
        bar?.stop();
        return data;
      }
      await new Promise((r) => setTimeout(r, interval));
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}
