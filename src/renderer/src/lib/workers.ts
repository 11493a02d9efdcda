// GET /workers (scale-out): who runs jobs. Read defensively: the answer may be a list, `{workers}`
// or `{data}`; anything else means "no list" and the indicator stays hidden.

export interface WorkerLike {
  kind?: string;
  running?: number;
}

export function parseWorkers(body: unknown): WorkerLike[] | null {
  const b = body as { workers?: unknown; data?: unknown } | null;
  const list = Array.isArray(body) ? body : Array.isArray(b?.workers) ? b.workers : Array.isArray(b?.data) ? b.data : null;
  return list ? (list.filter((w) => w && typeof w === 'object') as WorkerLike[]) : null;
}

/** "N workers" and how many jobs they run, or null in embedded mode (no scale-out worker listed). */
export function workersSummary(list: WorkerLike[] | null): { label: string; running: number } | null {
  const remote = list?.filter((w) => w.kind === 'bullmq') ?? [];
  if (!remote.length) return null;
  const running = remote.reduce((n, w) => n + (Number(w.running) || 0), 0);
  return { label: `${remote.length} ${remote.length === 1 ? 'worker' : 'workers'}`, running };
}
