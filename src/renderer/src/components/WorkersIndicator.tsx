import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { parseWorkers, workersSummary, type WorkerLike } from '../lib/workers';

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
  const summary = workersSummary(workers);
  if (!summary) return null;
  return (
    <span className="muted workers-indicator" data-testid="workers-indicator" title={`${summary.running} job(s) running on scale-out workers`}>
      {summary.label}
    </span>
  );
}
