// What each view was showing, kept across view switches (the operation a form started, the chosen series).
import { create } from 'zustand';

interface SessionState {
  trainingOpId: string | null;
  backtestOpId: string | null;
  dataLoadOpId: string | null;
  dataSeries: { symbol: string; timeframe: string } | null;
  strategyName: string | null;
  /** Unsent form fields, so switching views does not clear what was typed. */
  trainingForm: Record<string, string> | null;
  backtestForm: Record<string, string> | null;
  set(patch: Partial<Omit<SessionState, 'set'>>): void;
}

export const useSession = create<SessionState>((set) => ({
  trainingOpId: null,
  backtestOpId: null,
  dataLoadOpId: null,
  dataSeries: null,
  strategyName: null,
  trainingForm: null,
  backtestForm: null,
  set: (patch) => set(patch),
}));
