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

const THEME_KEY = 'ktrdr.theme';
const LIGHT_QUERY = '(prefers-color-scheme: light)';

/** The system's light/dark preference (dark where it cannot be read). */
export function systemTheme(): Theme {
  return typeof matchMedia === 'function' && matchMedia(LIGHT_QUERY).matches ? 'light' : 'dark';
}

/** A theme the user chose with the toggle wins; until then the app follows the system's. */
function initialTheme(): Theme {
  const chosen = localStorage.getItem(THEME_KEY);
  return chosen === 'light' || chosen === 'dark' ? chosen : systemTheme();
}

/**
 * Follows the system's preference as it changes (a desktop switching to dark at dusk) while the user
 * has not chosen a theme; returns the unsubscribe.
 */
export function followSystemTheme(): () => void {
  if (typeof matchMedia !== 'function') return () => undefined;
  const mq = matchMedia(LIGHT_QUERY);
  const onChange = () => {
    if (localStorage.getItem(THEME_KEY)) return;
    const theme = applyTheme(mq.matches ? 'light' : 'dark');
    useApp.setState({ theme });
  };
  mq.addEventListener('change', onChange);
  return () => mq.removeEventListener('change', onChange);
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
      localStorage.setItem(THEME_KEY, theme);
      return { theme };
    }),
}));
