import type { MainToWorker, WorkerToMain } from '../shared/worker-protocol';

/**
 * The worker's line to its host: Electron's utility process exposes `process.parentPort`, a
 * `child_process.fork` child has `process.send`. Jobs never see which.
 */
export interface ParentChannel {
  send(message: WorkerToMain): void;
  /** Sends and calls back once the message is handed to the OS, so a following exit cannot lose it. */
  sendThen(message: WorkerToMain, then: () => void): void;
  onMessage(handler: (message: MainToWorker) => void): void;
  connected(): boolean;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

export function parentChannel(): ParentChannel {
  const port = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (port) {
    return {
      send: (m) => port.postMessage(m),
      sendThen: (m, then) => {
        port.postMessage(m);
        setTimeout(then, 20);
      },
      onMessage: (h) => port.on('message', (e) => h(e.data as MainToWorker)),
      connected: () => true,
    };
  }
  if (!process.send) throw new Error('The job worker must be started by the KTRDR server (no IPC channel).');
  return {
    send: (m) => {
      if (process.connected) process.send!(m);
    },
    sendThen: (m, then) => {
      if (!process.connected) return then();
      process.send!(m, undefined, {}, () => then());
    },
    onMessage: (h) => process.on('message', (m) => h(m as MainToWorker)),
    connected: () => process.connected,
  };
}
