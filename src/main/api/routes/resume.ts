// POST /operations/{id}/resume, dispatched by operation type: experiments go to their scheduler
// (resumeExperiment, unchanged); a failed, cancelled or interrupted training continues from its last
// valid checkpoint, as KTRDR's `ktrdr resume` expects ({success, data: {operation_id, status,
// resumed_from: {checkpoint_type, created_at, epoch}}}). A resume is refused (409, changing nothing)
// when the strategy file or the training data changed since the checkpoint: the run would not be the
// one that was interrupted.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sha256Hex } from '../../../infra/hash';
import { latestValidCheckpoint, type CheckpointRef } from '../../../infra/checkpoints/store';
import { currentDataHashes, describeDataChange, trainingSeries } from '../../../infra/models/training-data';
import { parseDateBound, parseForTraining } from '../../../infra/models/training-inputs';
import { isParentType } from '../../../shared/operations';
import type { AppContext } from '../../context';
import { HttpError } from '../errors';
import { resumeExperiment } from './experiments';
import { locateStrategy } from './strategy-lookup';

const idParams = z.object({ operation_id: z.string().min(1).max(200) });

/** The strategy file as it is now, refused (409) when it is gone or differs from the checkpoint's. */
async function unchangedStrategy(ctx: AppContext, id: string, name: string, cp: CheckpointRef) {
  let file;
  try {
    file = await locateStrategy(ctx, name);
  } catch (err) {
    if (err instanceof HttpError && err.statusCode === 404) throw new HttpError(409, `Cannot resume ${id}: strategy ${name} no longer exists (${err.message})`);
    throw err;
  }
  const now = sha256Hex(file.text);
  if (now !== cp.meta.strategy.sha256)
    throw new HttpError(
      409,
      `Cannot resume ${id}: strategy ${name} changed since the checkpoint at epoch ${cp.meta.epoch} (${file.path}: sha256 ${cp.meta.strategy.sha256.slice(0, 12)}… then, ${now.slice(0, 12)}… now); start a new training instead`,
    );
  return file;
}

/** Refuses (409) when the bars the training reads are not the ones the checkpoint recorded. */
async function unchangedData(ctx: AppContext, id: string, params: Record<string, unknown>, text: string, cp: CheckpointRef): Promise<void> {
  const name = String(params.strategy_name);
  const list = (v: unknown) => (Array.isArray(v) && v.length ? v.map(String) : undefined);
  const parsed = parseForTraining(text, name, { symbols: list(params.symbols), timeframes: list(params.timeframes) });
  if (!('strategy' in parsed)) throw new HttpError(409, `Cannot resume ${id}: strategy ${name} is no longer valid: ${parsed.errors.join('; ')}`);
  const { symbols, timeframes } = trainingSeries(parsed.strategy);
  const start = parseDateBound(params.start_date as string | null, false);
  const end = parseDateBound(params.end_date as string | null, true);
  const range = { ...(typeof start === 'number' ? { start } : {}), ...(typeof end === 'number' ? { end } : {}) };
  let now;
  try {
    now = await currentDataHashes(ctx.bars, symbols, timeframes, range);
  } catch (err) {
    throw new HttpError(409, `Cannot resume ${id}: the training data changed since the checkpoint (${(err as Error).message})`);
  }
  const changed = describeDataChange(cp.meta.data.series, now.series);
  if (changed || now.sha256 !== cp.meta.data.sha256) throw new HttpError(409, `Cannot resume ${id}: the training data changed since the checkpoint at epoch ${cp.meta.epoch}: ${changed ?? 'the series differ'}; start a new training instead`);
}

export async function resumeTraining(ctx: AppContext, id: string) {
  const op = ctx.operations.get(id);
  if (op.parent_id) throw new HttpError(409, `Operation ${id} is a training of experiment ${op.parent_id}: resume the experiment (POST /operations/${op.parent_id}/resume), which reruns what it needs`);
  if (op.status !== 'failed' && op.status !== 'cancelled') throw new HttpError(409, `Operation ${id} is ${op.status}: only failed, cancelled or interrupted trainings can be resumed`);
  if (ctx.operations.isLive(id)) throw new HttpError(409, `Operation ${id} is still stopping (its worker has not exited yet); try again in a moment`);
  const cp = latestValidCheckpoint(ctx.config.home, id);
  if (!cp) throw new HttpError(404, `No checkpoint for operation ${id}: nothing to resume from; POST /operations/${id}/retry starts it again from epoch 1`);
  const params = ctx.operations.params(id);
  if (!params || typeof params.strategy_name !== 'string') throw new HttpError(409, `Operation ${id} was created before job parameters were stored; start it again instead`);
  const file = await unchangedStrategy(ctx, id, params.strategy_name, cp);
  await unchangedData(ctx, id, params, file.text, cp);
  const resumedFrom = { checkpoint_type: cp.meta.checkpoint_type, created_at: cp.meta.created_at, epoch: cp.meta.epoch, batch: cp.meta.batch };
  const info = ctx.operations.resumeJob(id, { ...params, strategy_yaml: file.text, resume_from: { path: cp.relPath, sha256: cp.sha256 } }, { keepMetrics: cp.meta.epoch, metadata: { resumed_from: { ...resumedFrom, at: new Date().toISOString() } } });
  return { success: true, data: { operation_id: id, status: info.status, resumed_from: resumedFrom } };
}

export function resumeRoutes(ctx: AppContext) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/operations/:operation_id/resume',
      {
        schema: {
          tags: ['operations'],
          summary: 'Resume an operation: a failed, cancelled or interrupted training from its last checkpoint; an experiment from its stored state',
          params: idParams,
        },
      },
      async (req) => {
        const id = req.params.operation_id;
        const op = ctx.operations.get(id); // 404 when unknown
        if (isParentType(op.operation_type)) return resumeExperiment(ctx, id);
        if (op.operation_type === 'training') return resumeTraining(ctx, id);
        throw new HttpError(409, `Operation ${id} is a ${op.operation_type} operation: only trainings and experiments can be resumed; POST /operations/${id}/retry runs it again`);
      },
    );
  };
}
