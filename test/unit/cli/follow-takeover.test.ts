// `--follow` across a scale-out takeover: one line says which attempt took over and from where; the
// epoch lines of the epochs the new attempt keeps (its checkpoint's) are not printed twice, the ones it
// trains again are.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { followOperation, takeoverLine } from '../../../src/cli/follow';
import type { KtrdrHttpClient } from '../../../src/cli/http';
import { emptyProgress, type OperationInfo } from '../../../src/shared/operations';

const ID = 'op_training_20250101_000000_follow01';

function info(over: Omit<Partial<OperationInfo>, 'metadata'> & { metadata?: Record<string, unknown> }): OperationInfo {
  return {
    operation_id: ID,
    operation_type: 'training',
    parent_id: null,
    status: 'running',
    created_at: '2025-01-01T00:00:00Z',
    started_at: '2025-01-01T00:00:00Z',
    completed_at: null,
    updated_at: '2025-01-01T00:00:00Z',
    progress: { ...emptyProgress(), current_step: 'Epoch' },
    error_message: null,
    warnings: [],
    errors: [],
    result_summary: null,
    metrics: {},
    ...over,
    metadata: { symbol: null, timeframe: null, start_date: null, end_date: null, parameters: {}, ...over.metadata },
  } as OperationInfo;
}

/** A server whose history is replaced from `keep` on by attempt 2 after the client's first poll. */
function server(keep: number, resumed: Record<string, unknown> | null) {
  let polls = 0;
  let attempt = 1;
  let history = [1, 2, 3].map((epoch) => ({ epoch, by: 1 }));
  const get = async (path: string): Promise<unknown> => {
    if (path === `/operations/${ID}`) {
      polls++;
      // The takeover happens between the first and second poll; the operation read lags once.
      if (polls === 2) {
        attempt = 2;
        history = [...history.slice(0, keep), ...Array.from({ length: 4 - keep }, (_, i) => ({ epoch: keep + 1 + i, by: 2 }))];
        return { data: info({ metadata: { attempt: 1, worker: 'a:1' } }) };
      }
      const status = polls >= 4 ? 'completed' : 'running';
      return { data: info({ status, metadata: { attempt, worker: attempt === 2 ? 'b:2' : 'a:1', ...(resumed && attempt === 2 ? { resumed_from: resumed } : {}) } }) };
    }
    const cursor = Number(/cursor=(\d+)/.exec(path)![1]);
    return { metrics: history.slice(cursor), new_cursor: history.length, attempt };
  };
  return { get, delete: async () => ({}) } as unknown as KtrdrHttpClient;
}

async function follow(client: KtrdrHttpClient): Promise<string[]> {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (lines.push(String(s).trimEnd()), true));
  await followOperation(client, ID, { json: false, intervalMs: 1, onMetric: (m) => `epoch ${String(m.epoch)} (attempt ${String(m.by)})` });
  return lines.filter((l) => !l.startsWith('['));
}

afterEach(() => vi.restoreAllMocks());

describe('following a scale-out takeover', () => {
  it('announces it once and prints the epochs after the checkpoint again, not the kept ones', async () => {
    const lines = await follow(server(2, { checkpoint_type: 'periodic', epoch: 2, batch: 0, attempt: 2 }));
    expect(lines).toEqual([
      'epoch 1 (attempt 1)',
      'epoch 2 (attempt 1)',
      'epoch 3 (attempt 1)',
      'Takeover: attempt 1 lost its worker; attempt 2 on worker b:2 took the job over and resumed from the periodic checkpoint at epoch 2',
      'epoch 3 (attempt 2)',
      'epoch 4 (attempt 2)',
    ]);
  });

  it('a takeover that started again prints its epochs from 1', async () => {
    const lines = await follow(server(0, null));
    expect(lines.slice(3)).toEqual([
      'Takeover: attempt 1 lost its worker; attempt 2 on worker b:2 took the job over and started again from the beginning',
      'epoch 1 (attempt 2)',
      'epoch 2 (attempt 2)',
      'epoch 3 (attempt 2)',
      'epoch 4 (attempt 2)',
    ]);
  });

  it('names a mid-epoch checkpoint and leaves out a worker the operation does not name yet', () => {
    const i = info({ metadata: { attempt: 1, worker: 'a:1', resumed_from: { checkpoint_type: 'cancellation', epoch: 7, batch: 12, attempt: 3 } } });
    expect(takeoverLine(i, 2, 3)).toBe('Takeover: attempt 2 lost its worker; attempt 3 took the job over and resumed from the cancellation checkpoint at epoch 7 batch 12');
  });
});
