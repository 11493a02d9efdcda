import { utilityProcess } from 'electron';
import type { JobSpec, MainToWorker, WorkerToMain } from '../../shared/worker-protocol';
import type { JobHost, WorkerEntry, WorkerEvents, WorkerHandle } from '../operations/job-host';

/** Inside the app each operation runs in an Electron utility process (same worker entry as headless). */
export class UtilityProcessJobHost implements JobHost {
  private live = 0;

  constructor(private readonly entry: WorkerEntry) {}

  liveCount(): number {
    return this.live;
  }

  start(spec: JobSpec, events: WorkerEvents): WorkerHandle {
    const child = utilityProcess.fork(this.entry.path, [], { serviceName: `ktrdr-${spec.jobType}`, stdio: 'inherit' });
    this.live++;
    let exited = false;
    const pending: MainToWorker[] = [{ type: 'start', spec }];
    let spawned = false;
    child.on('spawn', () => {
      spawned = true;
      pending.splice(0).forEach((m) => child.postMessage(m));
    });
    child.on('message', (m: unknown) => events.onMessage(m as WorkerToMain));
    child.on('exit', (code: number) => {
      if (exited) return;
      exited = true;
      this.live--;
      // Let messages already queued on the port be delivered first.
      setTimeout(() => events.onExit(code, null), 50);
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (m) => (spawned ? child.postMessage(m) : pending.push(m)),
      kill: () => {
        if (!exited) child.kill();
      },
    };
  }
}
