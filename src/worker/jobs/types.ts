import type { JobSpec } from '../../shared/worker-protocol';
import type { ProgressBridge } from '../bridge';

export interface JobContext {
  spec: JobSpec;
  params: Record<string, unknown>;
  bridge: ProgressBridge;
  /** KTRDR_HOME of the server that started the job. */
  home: string;
}

export interface JobOutput {
  /** Full results, served by GET /operations/{id}/results. */
  results: Record<string, unknown>;
  /** The compact summary shown in the operation (`result_summary`); defaults to results. */
  summary?: Record<string, unknown>;
}

export type Job = (ctx: JobContext) => Promise<JobOutput>;
