// KTRDR's checkpoint routes (ktrdr/api/endpoints/checkpoints.py), read by `ktrdr list checkpoints`
// and `ktrdr checkpoints show/delete`. A checkpoint here is what an interrupted operation left in
// progress.context.checkpoint_path (the same field recoverInterrupted reports); the list is empty,
// not a 404, when nothing can be resumed.
import { existsSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OperationSummary } from '../../../shared/operations';
import type { AppContext } from '../../context';
import { HttpError } from '../errors';

export interface Checkpoint {
  operation_id: string;
  checkpoint_type: string;
  created_at: string;
  path: string;
  size_bytes: number | null;
  state: Record<string, unknown>;
}

function sizeOf(path: string): number | null {
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

/** Failed or cancelled operations whose checkpoint file still exists under KTRDR_HOME, newest first. */
export function resumableCheckpoints(ctx: AppContext): Checkpoint[] {
  const out: Checkpoint[] = [];
  for (const status of ['failed', 'cancelled'] as const) {
    const { items } = ctx.operations.list({ status, limit: 1000, offset: 0, active_only: false });
    for (const op of items as OperationSummary[]) {
      const context = (op.progress?.context ?? {}) as Record<string, unknown>;
      const raw = context.checkpoint_path;
      if (typeof raw !== 'string' || !raw) continue;
      const path = resolve(ctx.config.home, raw);
      const rel = relative(ctx.config.home, path);
      if (rel.startsWith('..') || isAbsolute(rel) || !existsSync(path)) continue;
      out.push({
        operation_id: op.operation_id,
        checkpoint_type: String(context.checkpoint_type ?? (op.status === 'cancelled' ? 'cancellation' : 'failure')),
        created_at: op.completed_at ?? op.created_at,
        path,
        size_bytes: sizeOf(path),
        state: {
          operation_type: op.operation_type,
          status: op.status,
          epoch: op.progress.epoch_index,
          total_epochs: op.progress.total_epochs,
          percentage: op.progress.percentage,
          ...(typeof context.checkpoint_state === 'object' && context.checkpoint_state ? (context.checkpoint_state as Record<string, unknown>) : {}),
        },
      });
    }
  }
  return out.sort((a, b) => b.created_at.localeCompare(a.created_at));
}

const idParams = z.object({ operation_id: z.string().min(1).max(200) });

export function checkpointsRoutes(ctx: AppContext) {
  const find = (id: string) => {
    const cp = resumableCheckpoints(ctx).find((c) => c.operation_id === id);
    if (!cp) throw new HttpError(404, `No checkpoint for operation ${id}: only failed or cancelled operations that saved one can be resumed`);
    return cp;
  };

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/checkpoints',
      {
        schema: {
          tags: ['checkpoints'],
          summary: 'Checkpoints that can be resumed (empty when none)',
          querystring: z.object({ older_than_days: z.coerce.number().int().min(0).max(100_000).optional() }),
        },
      },
      async (req) => {
        const cutoff = req.query.older_than_days === undefined ? null : Date.now() - req.query.older_than_days * 86_400_000;
        const list = resumableCheckpoints(ctx).filter((c) => cutoff === null || Date.parse(c.created_at) < cutoff);
        const data = list.map((c) => ({ operation_id: c.operation_id, checkpoint_type: c.checkpoint_type, created_at: c.created_at, state_summary: c.state, artifacts_size_bytes: c.size_bytes }));
        return { success: true, data, total_count: data.length };
      },
    );

    app.get('/checkpoints/stats', { schema: { tags: ['checkpoints'], summary: 'How many checkpoints and their size' } }, async () => {
      const list = resumableCheckpoints(ctx);
      const oldest = list.length ? list[list.length - 1].created_at : null;
      return { success: true, total_checkpoints: list.length, total_size_bytes: list.reduce((a, c) => a + (c.size_bytes ?? 0), 0), oldest_checkpoint: oldest };
    });

    app.get('/checkpoints/:operation_id', { schema: { tags: ['checkpoints'], summary: 'One checkpoint', params: idParams } }, async (req) => {
      const c = find(req.params.operation_id);
      return { success: true, data: { operation_id: c.operation_id, checkpoint_type: c.checkpoint_type, created_at: c.created_at, state: c.state, artifacts_path: c.path } };
    });

    app.delete('/checkpoints/:operation_id', { schema: { tags: ['checkpoints'], summary: 'Delete a checkpoint file', params: idParams } }, async (req) => {
      const c = find(req.params.operation_id);
      rmSync(c.path, { force: true });
      return { success: true, message: `Checkpoint for ${c.operation_id} deleted` };
    });

    app.post(
      '/checkpoints/cleanup',
      { schema: { tags: ['checkpoints'], summary: 'Delete checkpoints older than N days', body: z.object({ max_age_days: z.number().int().min(0).max(100_000).default(30) }).nullish() } },
      async (req) => {
        const cutoff = Date.now() - (req.body?.max_age_days ?? 30) * 86_400_000;
        const old = resumableCheckpoints(ctx).filter((c) => Date.parse(c.created_at) < cutoff);
        for (const c of old) rmSync(c.path, { force: true });
        return { success: true, checkpoints_deleted: old.length, orphan_artifacts_cleaned: 0 };
      },
    );
  };
}
