// `ktrdr operations resume ID`: POST /operations/{id}/resume (no body needed), then a line saying
// from which checkpoint; --json prints KTRDR's answer as is; a refusal surfaces the server's reason.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerOperationsCommands, resumePoint } from '../../../src/cli/commands/operations';
import { ApiError, type KtrdrHttpClient } from '../../../src/cli/http';
import { runCommands } from '../../helpers/cli';

const ID = 'op_training_20250101_000000_abcdef01';
const ANSWER = { success: true, data: { operation_id: ID, status: 'running', resumed_from: { checkpoint_type: 'cancellation', created_at: '2025-01-01T10:00:00.000Z', epoch: 12, batch: 40 } } };

async function run(args: string[], post: (path: string) => Promise<unknown>) {
  const posts: string[] = [];
  const client = { post: async (path: string) => (posts.push(path), post(path)), get: async () => ({}) } as unknown as KtrdrHttpClient;
  return { posts, out: await runCommands(registerOperationsCommands, client, args) };
}

afterEach(() => vi.restoreAllMocks());

describe('ktrdr operations resume', () => {
  it('posts the resume and says from which checkpoint', async () => {
    const { posts, out } = await run(['operations', 'resume', ID], async () => ANSWER);
    expect(posts).toEqual([`/operations/${ID}/resume`]);
    expect(out).toBe(`Resumed ${ID} (running) from the cancellation checkpoint after epoch 12 (batch 40) of 2025-01-01T10:00:00.000Z\n  ktrdr follow ${ID}\n`);
  });

  it('--json prints the server answer unchanged', async () => {
    const { out } = await run(['ops', 'resume', ID, '--json'], async () => ANSWER);
    expect(JSON.parse(out)).toEqual(ANSWER);
  });

  it('a refusal is the server’s reason (the caller prints it and exits 1)', async () => {
    const refusal = new ApiError(409, `HTTP 409: Cannot resume ${ID}: strategy s changed since the checkpoint at epoch 3`, {});
    await expect(
      run(['operations', 'resume', ID], async () => {
        throw refusal;
      }),
    ).rejects.toThrow(/strategy s changed since the checkpoint/);
  });

  it('describes an experiment resume point (no epoch)', () => {
    expect(resumePoint({ checkpoint_type: 'experiment_state', created_at: '2025-01-01T00:00:00Z', epoch: null })).toBe('the experiment state checkpoint of 2025-01-01T00:00:00Z');
  });
});
