// KTRDR's checkpoint routes (ktrdr/api/endpoints/checkpoints.py), read by `ktrdr list checkpoints`,
// `ktrdr ops --resumable` (GET /checkpoints/{id} per operation: `data.state.epoch`) and `ktrdr
// checkpoints show/delete`. A checkpoint here is the latest valid checkpoint file of a failed or
// cancelled training (src/infra/checkpoints): what POST /operations/{id}/resume would continue from.
// A running training's checkpoints are not listed (it cannot be resumed); a completed one has none.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ktrdrCheckpointState } from '../../../infra/checkpoints/meta';
import { deleteCheckpoints, latestValidCheckpoint, operationsWithCheckpoints, type CheckpointRef } from '../../../infra/checkpoints/store';
import type { OperationInfo } from '../../../shared/operations';
import type { AppContext } from '../../context';
import { HttpError } from '../errors';

export interface Checkpoint {
  operation: OperationInfo;
  ref: CheckpointRef;
}

const RESUMABLE = new Set(['failed', 'cancelled']);

function operationOf(ctx: AppContext, id: string): OperationInfo | null {
  try {
    return ctx.operations.get(id);
  } catch {
    return null; // an operation this store does not know (deleted, or a checkpoint copied in)
  }
}

/** The resumable checkpoint of one operation, or null (and why, for a 404). */
export function checkpointOf(ctx: AppContext, id: string): Checkpoint | { missing: string } {
  const op = operationOf(ctx, id);
  if (!op) return { missing: `Operation not found: ${id}` };
  // An experiment's trainings are its scheduler's to rerun: their checkpoints are not resumed on their own.
  if (op.parent_id) return { missing: `No checkpoint for operation ${id}: it is part of experiment ${op.parent_id}; resume the experiment (POST /operations/${op.parent_id}/resume)` };
  if (!RESUMABLE.has(op.status)) return { missing: `No checkpoint for operation ${id}: it is ${op.status}; only failed or cancelled trainings have checkpoints to resume from` };
  // A cancelled training's worker writes its cancellation checkpoint as it stops: not final until it exits.
  if (ctx.operations.isLive(id)) return { missing: `No checkpoint for operation ${id} yet: it is still stopping and writing its checkpoint; ask again in a moment` };
  let ref: CheckpointRef | null = null;
  try {
    ref = latestValidCheckpoint(ctx.config.home, id);
  } catch {
    ref = null; // an id that cannot name a folder has none
  }
  if (!ref) return { missing: `No checkpoint for operation ${id}: it saved none (or none is intact) to resume from` };
  return { operation: op, ref };
}

/** Every resumable checkpoint, newest first. */
export function resumableCheckpoints(ctx: AppContext): Checkpoint[] {
  const out: Checkpoint[] = [];
  for (const id of operationsWithCheckpoints(ctx.config.home)) {
    const c = checkpointOf(ctx, id);
    if ('ref' in c) out.push(c);
  }
  return out.sort((a, b) => b.ref.meta.created_at.localeCompare(a.ref.meta.created_at));
}

const stateOf = (c: Checkpoint) => ktrdrCheckpointState(c.ref.meta, { operation_type: c.operation.operation_type, status: c.operation.status, checkpoint_file: c.ref.relPath, checkpoint_sha256: c.ref.sha256 });

const idParams = z.object({ operation_id: z.string().min(1).max(200) });
const DAY_MS = 86_400_000;

export function checkpointsRoutes(ctx: AppContext) {
  const find = (id: string): Checkpoint => {
    const c = checkpointOf(ctx, id);
    if ('missing' in c) throw new HttpError(404, c.missing);
    return c;
  };

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/checkpoints',
      {
        schema: {
          tags: ['checkpoints'],
          summary: 'Checkpoints that can be resumed, newest first (empty when none)',
          querystring: z.object({ older_than_days: z.coerce.number().int().min(0).max(100_000).optional() }),
        },
      },
      async (req) => {
        const cutoff = req.query.older_than_days === undefined ? null : Date.now() - req.query.older_than_days * DAY_MS;
        const list = resumableCheckpoints(ctx).filter((c) => cutoff === null || Date.parse(c.ref.meta.created_at) < cutoff);
        const data = list.map((c) => ({
          operation_id: c.ref.operationId,
          checkpoint_type: c.ref.meta.checkpoint_type,
          created_at: c.ref.meta.created_at,
          state_summary: stateOf(c),
          artifacts_size_bytes: c.ref.size,
        }));
        return { success: true, data, total_count: data.length };
      },
    );

    app.get('/checkpoints/stats', { schema: { tags: ['checkpoints'], summary: 'How many resumable checkpoints and their size' } }, async () => {
      const list = resumableCheckpoints(ctx);
      const oldest = list.length ? list[list.length - 1].ref.meta.created_at : null;
      return { success: true, total_checkpoints: list.length, total_size_bytes: list.reduce((a, c) => a + c.ref.size, 0), oldest_checkpoint: oldest };
    });

    app.get('/checkpoints/:operation_id', { schema: { tags: ['checkpoints'], summary: 'The checkpoint a resume of this operation would continue from', params: idParams } }, async (req) => {
      const c = find(req.params.operation_id);
      return { success: true, data: { operation_id: c.ref.operationId, checkpoint_type: c.ref.meta.checkpoint_type, created_at: c.ref.meta.created_at, state: stateOf(c), artifacts_path: c.ref.path } };
    });

    app.delete('/checkpoints/:operation_id', { schema: { tags: ['checkpoints'], summary: "Delete an operation's checkpoints (it can no longer be resumed)", params: idParams } }, async (req) => {
      const c = find(req.params.operation_id);
      deleteCheckpoints(ctx.config.home, c.ref.operationId);
      return { success: true, message: 'Checkpoint deleted' };
    });

    app.post(
      '/checkpoints/cleanup',
      {
        schema: {
          tags: ['checkpoints'],
          summary: 'Delete checkpoints older than N days, and checkpoint folders no resumable operation owns',
          body: z.object({ max_age_days: z.number().int().min(0).max(100_000).default(30) }).nullish(),
        },
      },
      async (req) => {
        const cutoff = Date.now() - (req.body?.max_age_days ?? 30) * DAY_MS;
        let deleted = 0;
        let orphans = 0;
        for (const id of operationsWithCheckpoints(ctx.config.home)) {
          const op = operationOf(ctx, id);
          if (op && !RESUMABLE.has(op.status)) continue; // running (still writing them) or pending
          const c = checkpointOf(ctx, id);
          if ('ref' in c) {
            if (Date.parse(c.ref.meta.created_at) < cutoff) {
              deleteCheckpoints(ctx.config.home, id);
              deleted++;
            }
          } else {
            deleteCheckpoints(ctx.config.home, id); // unknown operation, or only damaged files
            orphans++;
          }
        }
        return { success: true, checkpoints_deleted: deleted, orphan_artifacts_cleaned: orphans };
      },
    );
  };
}
