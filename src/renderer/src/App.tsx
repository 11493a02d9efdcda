import { useEffect } from 'react';
import { preloadBridge } from './api/client';
import { useApp, VIEWS, type View } from './stores/app';
import { OperationsView } from './views/OperationsView';
import { PlaceholderView } from './views/PlaceholderView';

const LABELS: Record<View, string> = {
  operations: 'Operations',
  data: 'Data',
  strategies: 'Strategies',
  training: 'Training',
  backtests: 'Backtests',
};

function CurrentView({ view }: { view: View }) {
  switch (view) {
    case 'operations':
      return <OperationsView />;
    default:
      return <PlaceholderView title={LABELS[view]} />;
  }
}

export function App() {
  const { view, setView, theme, toggleTheme } = useApp();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    preloadBridge()?.onNavigate((v) => (VIEWS as readonly string[]).includes(v) && setView(v as View));
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key >= '1' && e.key <= String(VIEWS.length)) {
        e.preventDefault();
        setView(VIEWS[Number(e.key) - 1]);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setView]);

  return (
    <div className="shell" data-testid="app-shell">
      <nav className="sidebar" aria-label="Views">
        <div className="brand">KTRDR</div>
        {VIEWS.map((v, i) => (
          <button key={v} className={v === view ? 'nav active' : 'nav'} onClick={() => setView(v)} title={`${LABELS[v]} (Ctrl+${i + 1})`} data-testid={`nav-${v}`}>
            {LABELS[v]}
          </button>
        ))}
        <div className="spacer" />
        <button className="nav theme" onClick={toggleTheme} title="Toggle light/dark theme">
          {theme === 'dark' ? 'Light theme' : 'Dark theme'}
        </button>
      </nav>
      <main className="content">
        <CurrentView view={view} />
      </main>
    </div>
  );
}
