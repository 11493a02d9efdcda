import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { JobSpec, MainToWorker, WorkerToMain } from '../../shared/worker-protocol';

export interface WorkerEvents {
  onMessage(message: WorkerToMain): void;
  /** Called once, after the process has exited AND every message it sent has been delivered. */
  onExit(code: number | null, signal: string | null): void;
}

export interface WorkerHandle {
  readonly pid: number | undefined;
  /**
   * Set by hosts that queue jobs for workers elsewhere: the queue the job waits on. The operation
   * stays `pending` ("waiting for a worker") until the host reports a worker with a `worker` message.
   */
  readonly queue?: string;
  send(message: MainToWorker): void;
  /** Ends the process at once (SIGKILL). */
  kill(): void;
}

/** One machine/process that runs jobs, as GET /workers lists it. */
export interface WorkerDescription {
  /** Stable id: `host:pid` of the process that runs the jobs. */
  worker_id: string;
  host: string;
  pid: number | null;
  /** `embedded`: local worker processes of this server; `bullmq`: a `ktrdr worker` on a queue. */
  kind: 'embedded' | 'bullmq';
  /** Jobs it may run at once. */
  concurrency: number;
  /** Jobs it runs now. */
  running: number;
  /** ISO time it was last heard from. */
  last_seen: string;
  /** Not heard from lately (missed heartbeats, or its Redis is unreachable): it may be gone. */
  stale?: boolean;
}

/** A job a restarted server asks its host to take back (scale-out: the job may still be on a worker). */
export interface ReattachSpec {
  operationId: string;
  jobType: JobSpec['jobType'];
  /** The attempt whose metrics the operation holds (null: none recorded). */
  attempt: number | null;
  /** Metrics the operation already holds. */
  metricsSeen: number;
  /** Warnings it already holds (not repeated). */
  warnings: string[];
}

/** Whether the host can take new jobs now, and why not. */
export interface HostHealth {
  status: 'ok' | 'degraded';
  /** What is wrong (null when ok). */
  reason: string | null;
  /** Host-specific facts (scale-out: redis, queue, workers). */
  details: Record<string, unknown>;
}

/** Runs each operation in its own process: `child_process.fork` headless, Electron's utilityProcess in the app. */
export interface JobHost {
  start(spec: JobSpec, events: WorkerEvents): WorkerHandle;
  /** Processes currently alive. */
  liveCount(): number;
  /** The workers this host runs jobs on (scale-out hosts list remote ones); absent = this machine only. */
  describeWorkers?(): WorkerDescription[];
  /** Releases the host's connections (scale-out hosts); called once when the server stops. */
  close?(): Promise<void>;
  /**
   * Jobs keep running without this server (scale-out): a stopping server leaves them alone instead of
   * killing them, and the next start takes them back with `reattach`.
   */
  readonly jobsOutliveServer?: boolean;
  /**
   * Takes back a job a previous server process left running. The host answers through `events` as for
   * `start`: progress and the outcome if the job is still held (or finished meanwhile), else an error
   * naming why it is lost. Called before any new start.
   */
  reattach?(spec: ReattachSpec, events: WorkerEvents): WorkerHandle;
  /** Why a start must be refused now (e.g. Redis unreachable), or null. */
  refuseStart?(): string | null;
  health?(): HostHealth;
}

export interface WorkerEntry {
  path: string;
  execArgv: string[];
}

/** The built worker sits next to the bundle that hosts it; from sources (tsx, vitest) it is run through tsx. */
export function defaultWorkerEntry(): WorkerEntry {
  if (__filename.endsWith('.ts')) {
    return { path: resolve(__dirname, '..', '..', 'worker', 'main.ts'), execArgv: ['--import', 'tsx'] };
  }
  const built = join(__dirname, 'worker.js');
  if (!existsSync(built)) throw new Error(`Job worker not found at ${built}; run "npm run build"`);
  return { path: built, execArgv: [] };
}

export class ChildProcessJobHost implements JobHost {
  private live = 0;

  constructor(private readonly entry: WorkerEntry = defaultWorkerEntry()) {}

  liveCount(): number {
    return this.live;
  }

  start(spec: JobSpec, events: WorkerEvents): WorkerHandle {
    const child = fork(this.entry.path, [], {
      execArgv: this.entry.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      env: { ...process.env, KTRDR_WORKER: '1', KTRDR_OPERATION_ID: spec.operationId },
    });
    this.live++;
    let closed = false;
    child.on('message', (m) => events.onMessage(m as WorkerToMain));
    child.on('error', () => {
      // A failed spawn or a send to a dead process: the 'close' event reports the outcome.
    });
    // 'close' comes after 'exit' and after the IPC channel has drained, so no message is lost.
    child.on('close', (code, signal) => {
      if (closed) return;
      closed = true;
      this.live--;
      events.onExit(code, signal);
    });
    const send = (message: MainToWorker) => {
      if (child.connected) child.send(message, (err) => void err);
    };
    send({ type: 'start', spec });
    return {
      pid: child.pid,
      send,
      kill: () => {
        if (!closed) child.kill('SIGKILL');
      },
    };
  }
}
