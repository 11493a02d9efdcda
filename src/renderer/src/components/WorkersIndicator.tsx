import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { parseWorkers, workersSummary, type WorkerLike } from '../lib/workers';

/** "N workers" while the server runs jobs on scale-out workers (hidden in embedded mode). */
export function WorkersIndicator() {
  const [workers, setWorkers] = useState<WorkerLike[] | null>(null);
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Every 5 s in scale-out mode; an embedded server (or one without the route) is asked every 60 s.
    const load = async () => {
      let list: WorkerLike[] | null = null;
      try {
        list = parseWorkers(await api.get('/workers'));
      } catch {
        list = null;
      }
      if (!alive) return;
      setWorkers(list);
      timer = setTimeout(() => void load(), workersSummary(list) ? 5_000 : 60_000);
    };
    void load();
    return () => {
      alive = false;
      clearTimeout(timer);
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
