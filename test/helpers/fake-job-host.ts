import type { JobSpec, MainToWorker, WorkerToMain } from '../../src/shared/worker-protocol';
import type { JobHost, WorkerEvents, WorkerHandle } from '../../src/main/operations/job-host';
import { emptyProgress, type MetricRecord, type OperationProgress } from '../../src/shared/operations';

/** A scripted in-process worker: tests push snapshots/results and decide when it exits. */
export class FakeWorker {
  readonly received: MainToWorker[] = [];
  alive = true;
  private metrics = 0;
  constructor(
    readonly spec: JobSpec,
    private readonly events: WorkerEvents,
  ) {}
  snapshot(percentage: number, message: string, metrics: MetricRecord[] = [], extra: Partial<OperationProgress> = {}): void {
    this.events.onMessage({
      type: 'snapshot',
      progress: { ...emptyProgress(), percentage, message, current_step: message, ...extra },
      metricsFrom: this.metrics,
      metrics,
      warnings: [],
    });
    this.metrics += metrics.length;
  }
  send(m: WorkerToMain): void {
    this.events.onMessage(m);
  }
  exit(code: number | null = 0, signal: string | null = null): void {
    if (!this.alive) return;
    this.alive = false;
    this.events.onExit(code, signal);
  }
}

export class FakeJobHost implements JobHost {
  readonly workers: FakeWorker[] = [];
  kills = 0;
  liveCount(): number {
    return this.workers.filter((w) => w.alive).length;
  }
  start(spec: JobSpec, events: WorkerEvents): WorkerHandle {
    const w = new FakeWorker(spec, events);
    this.workers.push(w);
    return {
      pid: 1000 + this.workers.length,
      send: (m) => w.received.push(m),
      kill: () => {
        this.kills++;
        w.exit(null, 'SIGKILL');
      },
    };
  }
  last(): FakeWorker {
    return this.workers[this.workers.length - 1];
  }
}
