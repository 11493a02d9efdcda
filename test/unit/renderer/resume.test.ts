// The Resume button's logic (lib/resume.ts) against a fake API: which operations may have a
// checkpoint, how the checkpoint answer is read, and what a resume refreshes.
import { beforeAll, describe, expect, it, vi } from 'vitest';

const requests: string[] = [];
const state = { status: 'cancelled', metrics: 3, checkpoint: 'ok' as 'ok' | 'stopping' | 'none' };

vi.mock('../../../src/renderer/src/api/client', async () => {
  const { FakeApiError: ApiError } = await import('../../helpers/renderer-api');
  const get = async (path: string) => {
    requests.push(`GET ${path}`);
    if (path.startsWith('/checkpoints/')) {
      if (state.checkpoint === 'stopping') throw new ApiError(404, 'No checkpoint for operation x yet: it is still stopping and writing its checkpoint', {});
      if (state.checkpoint === 'none') throw new ApiError(404, 'No checkpoint for operation x: it saved none', {});
      return { success: true, data: { checkpoint_type: 'cancellation', created_at: '2025-01-01T00:00:00Z', state: { epoch: 4, total_epochs: 20, batch: 7 } } };
    }
    const metrics = /^\/operations\/([^/?]+)\/metrics\?cursor=(\d+)$/.exec(path);
    if (metrics) {
      const all = Array.from({ length: state.metrics }, (_, i) => ({ epoch: i + 1 }));
      return { metrics: all.slice(Number(metrics[2])), new_cursor: state.metrics };
    }
    const one = /^\/operations\/([^/?]+)$/.exec(path);
    if (one) return { data: { operation_id: one[1], operation_type: 'training', status: state.status, created_at: '2025-01-01T00:00:00Z', progress: { percentage: 20 }, metadata: {}, metrics: { count: state.metrics } } };
    throw new Error(`unexpected ${path}`);
  };
  const post = async (path: string) => {
    requests.push(`POST ${path}`);
    state.status = 'running';
    state.metrics = 2; // the server kept the epochs up to the checkpoint
    return { success: true, data: { status: 'running' } };
  };
  return { ApiError, api: { get, post, delete: vi.fn() } };
});

describe('resume (renderer)', () => {
  let lib: typeof import('../../../src/renderer/src/lib/resume');
  let metrics: typeof import('../../../src/renderer/src/stores/metrics');
  let ops: typeof import('../../../src/renderer/src/stores/operations');
  beforeAll(async () => {
    vi.stubGlobal('document', { visibilityState: 'hidden', addEventListener: () => undefined });
    lib = await import('../../../src/renderer/src/lib/resume');
    metrics = await import('../../../src/renderer/src/stores/metrics');
    ops = await import('../../../src/renderer/src/stores/operations');
  });

  it('only failed or cancelled trainings outside experiments may have a checkpoint', () => {
    expect(lib.mayHaveCheckpoint({ operation_type: 'training', status: 'cancelled' })).toBe(true);
    expect(lib.mayHaveCheckpoint({ operation_type: 'training', status: 'failed', parent_id: null })).toBe(true);
    expect(lib.mayHaveCheckpoint({ operation_type: 'training', status: 'failed', parent_id: 'op_sweep_x' })).toBe(false);
    expect(lib.mayHaveCheckpoint({ operation_type: 'training', status: 'completed' })).toBe(false);
    expect(lib.mayHaveCheckpoint({ operation_type: 'training', status: 'running' })).toBe(false);
    expect(lib.mayHaveCheckpoint({ operation_type: 'backtesting', status: 'failed' })).toBe(false);
  });

  it('reads the checkpoint, "stopping" while the worker still writes it, null when there is none', async () => {
    const c = await lib.checkpointOf('op_training_a');
    expect(c && c !== 'stopping' && lib.describeCheckpoint(c)).toBe('epoch 4 of 20, batch 7');
    state.checkpoint = 'stopping';
    expect(await lib.checkpointOf('op_training_a')).toBe('stopping');
    state.checkpoint = 'none';
    expect(await lib.checkpointOf('op_training_a')).toBeNull();
    state.checkpoint = 'ok';
  });

  it('a resume posts, reads the metrics again from 0 (the old feed was final) and refreshes the operation', async () => {
    const id = 'op_training_b';
    // The store knows it as cancelled (terminal states are sticky there), and a chart shows its three epochs: the feed is final.
    await ops.useOperations.getState().refresh(id);
    expect(ops.useOperations.getState().ops[id].status).toBe('cancelled');
    metrics.useMetrics.setState({ feeds: { [id]: { cursor: 3, records: [{ epoch: 1 }, { epoch: 2 }, { epoch: 3 }], error: null, final: true } }, subscribers: { [id]: 1 } });
    requests.length = 0;
    await lib.resumeOperation(id);
    await vi.waitFor(() => expect(metrics.useMetrics.getState().feeds[id]?.cursor).toBe(2));
    expect(requests).toEqual([`POST /operations/${id}/resume`, `GET /operations/${id}/metrics?cursor=0`, `GET /operations/${id}`]);
    expect(metrics.useMetrics.getState().feeds[id]).toMatchObject({ final: false, records: [{ epoch: 1 }, { epoch: 2 }] });
    expect(ops.useOperations.getState().ops[id].status).toBe('running');
  });
});
