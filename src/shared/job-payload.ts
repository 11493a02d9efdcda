// What travels with a BullMQ job (scale-out mode): the operation, its parameters and the content
// hashes of the files it needs. Workers validate every payload against these schemas before running.
import { z } from 'zod';
import { OPERATION_TYPES } from './operations';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'not a sha256 hex digest');
/** A path relative to a KTRDR home: no absolute paths, no `..`, forward slashes. */
export const homeRelativePath = z
  .string()
  .min(1)
  .max(500)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && !p.split('/').some((s) => s === '..' || s === '.' || s === ''), 'must be a relative path inside the home');

export const fileRefSchema = z.object({ path: homeRelativePath, sha256, size: z.number().int().nonnegative() });
export type FileRef = z.infer<typeof fileRefSchema>;

/** `resume_from` of a training job: a checkpoint file inside the home, and optionally its sha256. */
export const resumeFromSchema = z.object({ path: homeRelativePath, sha256: sha256.nullish() });
export type ResumeFrom = z.infer<typeof resumeFromSchema>;

/** A valid `resume_from`, or null (absent or malformed: the job itself reports what is wrong). */
export function resumeFromParam(v: unknown): ResumeFrom | null {
  const r = resumeFromSchema.safeParse(v);
  return r.success ? r.data : null;
}

const dateOrNull = z.string().max(40).nullish();
const names = z.array(z.string().min(1).max(40)).max(50);

/** Per job type: the parameters the job reads (others pass through untouched). */
export const JOB_PARAM_SCHEMAS = {
  training: z.looseObject({
    strategy_name: z.string().min(1).max(200),
    strategy_yaml: z.string().min(1).max(1_000_000),
    symbols: names.min(1),
    timeframes: names.min(1),
    start_date: dateOrNull,
    end_date: dateOrNull,
    resume_from: resumeFromSchema.nullish(),
  }),
  backtesting: z.looseObject({
    strategy_name: z.string().min(1).max(200),
    symbol: z.string().min(1).max(64),
    timeframe: z.string().min(1).max(8),
    start_date: z.string().max(40),
    end_date: z.string().max(40),
    model_path: z.string().max(500).nullish(),
    strategy_path: homeRelativePath.nullish(),
  }),
  data_load: z.looseObject({
    symbol: z.string().min(1).max(64),
    timeframe: z.string().min(1).max(8),
    path: homeRelativePath.optional(),
    dir: homeRelativePath.optional(),
  }),
  dummy: z.looseObject({
    iterations: z.number().int().min(1).max(1_000_000).optional(),
    duration_seconds: z.number().min(0).max(86_400).optional(),
  }),
} as const;

export const jobPayloadSchema = z.object({
  v: z.literal(1),
  operationId: z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/),
  jobType: z.enum(OPERATION_TYPES),
  params: z.record(z.string(), z.unknown()),
  logLevel: z.string().max(20),
  /** Files the job needs, placed at `path` in the worker's staging home after their checksum is verified. */
  inputs: z.array(fileRefSchema).max(10_000),
});
export type JobPayload = z.infer<typeof jobPayloadSchema>;

/** The payload, or the first problem as `field: message`. */
export function parseJobPayload(data: unknown): { ok: true; payload: JobPayload } | { ok: false; error: string } {
  const env = jobPayloadSchema.safeParse(data);
  if (!env.success) return { ok: false, error: describe(env.error) };
  const schema = JOB_PARAM_SCHEMAS[env.data.jobType as keyof typeof JOB_PARAM_SCHEMAS];
  if (schema) {
    const p = schema.safeParse(env.data.params);
    if (!p.success) return { ok: false, error: describe(p.error, 'params') };
  }
  return { ok: true, payload: env.data };
}

function describe(err: z.ZodError, prefix?: string): string {
  return err.issues.map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(payload)'}: ${i.message}`).join('; ');
}

/** What a worker hands back when a job ends (BullMQ's return value). */
export interface JobReturn {
  /** `error`: the job failed (stored in the result record; BullMQ sees an UnrecoverableError). */
  outcome: 'result' | 'cancelled' | 'error';
  results?: Record<string, unknown>;
  /** Why it failed (outcome `error`). */
  message?: string;
  summary: Record<string, unknown>;
  /** Files the job wrote into its home, uploaded as blobs. */
  outputs: FileRef[];
  /** `host:pid` of the `ktrdr worker` that ran it. */
  worker: string;
}
