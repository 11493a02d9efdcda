import { describe, expect, it } from 'vitest';
import { parseWorkers, workersSummary } from '../../../src/renderer/src/lib/workers';

describe('GET /workers in the UI', () => {
  const remote = [
    { worker_id: 'a:1', kind: 'bullmq', running: 1 },
    { worker_id: 'b:2', kind: 'bullmq', running: 0 },
  ];

  it('reads a list, {workers} or {data}, and nothing else', () => {
    expect(parseWorkers(remote)).toHaveLength(2);
    expect(parseWorkers({ workers: remote })).toHaveLength(2);
    expect(parseWorkers({ success: true, data: remote })).toHaveLength(2);
    expect(parseWorkers({ detail: 'Not found' })).toBeNull();
    expect(parseWorkers(null)).toBeNull();
    expect(parseWorkers([null, 3, remote[0]])).toHaveLength(1);
  });

  it('shows "N workers" only in scale-out mode', () => {
    expect(workersSummary(parseWorkers({ workers: remote }))).toEqual({ label: '2 workers', running: 1 });
    expect(workersSummary([{ kind: 'bullmq' }])).toEqual({ label: '1 worker', running: 0 });
    expect(workersSummary([{ kind: 'embedded', running: 3 }])).toBeNull();
    expect(workersSummary(null)).toBeNull();
  });
});
