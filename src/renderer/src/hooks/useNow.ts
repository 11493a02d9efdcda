import { useEffect, useState } from 'react';

/** The current time, re-read every second while `ticking` (elapsed/ETA clocks); no requests. */
export function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [ticking]);
  return ticking ? now : Date.now();
}
