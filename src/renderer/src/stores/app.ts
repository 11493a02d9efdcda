import { create } from 'zustand';

export const VIEWS = ['operations', 'data', 'strategies', 'models', 'training', 'backtests', 'experiments'] as const;
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

/**
 * Puts the theme on <html> at once. Charts read their colours from the CSS variables while they
 * render, which is before any effect runs: setting it in an effect would draw them in the old theme.
 */
function applyTheme(theme: Theme): Theme {
  if (typeof document !== 'undefined') {
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
  }
  return theme;
}

function initialTheme(): Theme {
  return localStorage.getItem('ktrdr.theme') === 'light' ? 'light' : 'dark';
}

export const useApp = create<AppState>((set) => ({
  view: initialView(),
  theme: applyTheme(initialTheme()),
  setView: (view) => {
    window.location.hash = `#/${view}`;
    set({ view });
  },
  toggleTheme: () =>
    set((s) => {
      const theme = applyTheme(s.theme === 'dark' ? 'light' : 'dark');
      localStorage.setItem('ktrdr.theme', theme);
      return { theme };
    }),
}));
