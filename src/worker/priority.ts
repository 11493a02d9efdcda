import { getPriority, setPriority } from 'node:os';

/**
 * Jobs run below the server's priority so the REST listener and the UI keep answering promptly while
 * every core trains (KTRDR_WORKER_NICE, default 10; 0 keeps the server's). Lowering one's own priority
 * needs no privilege; where the OS refuses anyway the job simply runs at the normal priority.
 */
export function lowerOwnPriority(env: NodeJS.ProcessEnv = process.env): number | null {
  const raw = env.KTRDR_WORKER_NICE;
  const nice = raw === undefined || raw === '' ? 10 : Number(raw);
  if (!Number.isInteger(nice) || nice <= 0 || nice > 19) return null;
  try {
    const target = Math.min(19, getPriority() + nice);
    setPriority(target);
    return getPriority();
  } catch {
    return null;
  }
}
