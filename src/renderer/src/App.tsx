import { useEffect } from 'react';
import { preloadBridge } from './api/client';
import { followSystemTheme, useApp, VIEWS, type View } from './stores/app';
import { BacktestView } from './views/BacktestView';
import { DataView } from './views/DataView';
import { ExperimentsView } from './views/ExperimentsView';
import { ModelsView } from './views/ModelsView';
import { OperationsView } from './views/OperationsView';
import { RenderBenchView } from './views/RenderBenchView';
import { StrategiesView } from './views/StrategiesView';
import { TrainingView } from './views/TrainingView';

const LABELS: Record<View, string> = {
  operations: 'Operations',
  data: 'Data',
  strategies: 'Strategies',
  models: 'Models',
  training: 'Training',
  backtests: 'Backtests',
  experiments: 'Experiments',
};

function CurrentView({ view }: { view: View }) {
  switch (view) {
    case 'operations':
      return <OperationsView />;
    case 'data':
      return <DataView />;
    case 'strategies':
      return <StrategiesView />;
    case 'models':
      return <ModelsView />;
    case 'training':
      return <TrainingView />;
    case 'backtests':
      return <BacktestView />;
    case 'experiments':
      return <ExperimentsView />;
  }
}

export function App() {
  // The render-timing bench is a page of its own (no shell, no requests).
  if (window.location.hash.startsWith('#/bench')) return <RenderBenchView />;
  return <Shell />;
}

function Shell() {
  const { view, setView, theme, toggleTheme } = useApp();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => followSystemTheme(), []);

  useEffect(() => {
    preloadBridge()?.onNavigate((v) => (VIEWS as readonly string[]).includes(v) && setView(v as View));
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key >= '1' && e.key <= String(VIEWS.length)) {
        e.preventDefault();
        setView(VIEWS[Number(e.key) - 1]);
      }
    };
    // Links and history (back/forward) change the hash: follow it.
    const onHash = () => {
      const v = window.location.hash.replace(/^#\/?/, '');
      if ((VIEWS as readonly string[]).includes(v) && v !== useApp.getState().view) setView(v as View);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('hashchange', onHash);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('hashchange', onHash);
    };
  }, [setView]);

  return (
    <div className="shell" data-testid="app-shell">
      <nav className="sidebar" aria-label="Views">
        <div className="brand">KTRDR</div>
        {VIEWS.map((v, i) => (
          <button key={v} className={v === view ? 'nav active' : 'nav'} aria-current={v === view ? 'page' : undefined} onClick={() => setView(v)} title={`${LABELS[v]} (Ctrl+${i + 1})`} data-testid={`nav-${v}`}>
            {LABELS[v]}
          </button>
        ))}
        <div className="spacer" />
        <button className="nav theme" onClick={toggleTheme} title="Toggle light/dark theme" aria-label={theme === 'dark' ? 'Switch to the light theme' : 'Switch to the dark theme'} data-testid="theme-toggle" data-theme={theme}>
          {theme === 'dark' ? 'Light theme' : 'Dark theme'}
        </button>
      </nav>
      <main className="content">
        <CurrentView view={view} />
      </main>
    </div>
  );
}
