import { create } from 'zustand';

export const VIEWS = ['operations', 'data', 'strategies', 'training', 'backtests'] as const;
export type View = (typeof VIEWS)[number];

export type Theme = 'dark' | 'light';

interface AppState {
  view: View;
  theme: Theme;
  setView(view: View): void;
  toggleTheme(): void;
}

function initialView(): View {
  const h = window.location.hash.replace('#/', '').replace('#', '');
  return (VIEWS as readonly string[]).includes(h) ? (h as View) : 'operations';
}

export const useApp = create<AppState>((set) => ({
  view: initialView(),
  theme: (localStorage.getItem('ktrdr.theme') as Theme) || 'dark',
  setView: (view) => {
    window.location.hash = `#/${view}`;
    set({ view });
  },
  toggleTheme: () =>
    set((s) => {
      const theme = s.theme === 'dark' ? 'light' : 'dark';
      localStorage.setItem('ktrdr.theme', theme);
      return { theme };
    }),
}));
