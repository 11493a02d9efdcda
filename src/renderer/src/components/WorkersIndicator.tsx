import { useEffect, useState } from 'react';
import { api } from '../api/client';

interface WorkerLike {
  kind?: string;
  running?: number;
}

/** GET /workers may answer a list, `{workers}` or `{data}`; anything else (or an error) means no list. */
export function parseWorkers(body: unknown): WorkerLike[] | null {
  const b = body as { workers?: unknown; data?: unknown } | null;
  const list = Array.isArray(body) ? body : Array.isArray(b?.workers) ? b.workers : Array.isArray(b?.data) ? b.data : null;
  return list ? (list.filter((w) => w && typeof w === 'object') as WorkerLike[]) : null;
}

/** "N workers" while the server runs jobs on scale-out workers (hidden in embedded mode). */
export function WorkersIndicator() {
  const [workers, setWorkers] = useState<WorkerLike[] | null>(null);
  useEffect(() => {
    let alive = true;
    const load = async () => {
      try {
        const list = parseWorkers(await api.get('/workers'));
        if (alive) setWorkers(list);
      } catch {
        if (alive) setWorkers(null);
      }
    };
    void load();
    const timer = setInterval(() => void load(), 5000);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, []);
  const remote = workers?.filter((w) => w.kind === 'bullmq') ?? [];
  if (!workers || !workers.some((w) => w.kind === 'bullmq')) return null;
  const busy = remote.reduce((n, w) => n + (Number(w.running) || 0), 0);
  return (
    <span className="muted workers-indicator" data-testid="workers-indicator" title={`${busy} job(s) running on scale-out workers`}>
      {remote.length} {remote.length === 1 ? 'worker' : 'workers'}
    </span>
  );
}
