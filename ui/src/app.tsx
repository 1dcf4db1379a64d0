import { useEffect, useState } from 'preact/hooks';
import { isKeyNeeded, onKeyChange } from './api';
import { KeyPrompt, KeyStatus } from './components/key-prompt';
import { useRoute, type Route } from './router';
import { ComparePage } from './pages/compare';
import { DeploymentPage, DeploymentsPage } from './pages/deployments';
import { ModelPage, ModelsPage } from './pages/models';
import { MonitorModelPage, MonitorPage } from './pages/monitor';
import { PredictionPage, PredictionsPage } from './pages/predictions';
import { RunPage } from './pages/run';
import { RunsPage } from './pages/runs';

const SECTIONS = [
  ['runs', 'Runs'],
  ['models', 'Models'],
  ['deployments', 'Deployments'],
  ['monitor', 'Monitoring'],
  ['predictions', 'Predictions'],
] as const;

function page(route: Route) {
  const [section = 'runs', id] = route.parts;
  switch (section) {
    case 'runs':
      return id === undefined ? <RunsPage query={route.query} /> : <RunPage id={id} />;
    case 'compare':
      return <ComparePage ids={(route.query.get('ids') ?? '').split(',').filter((s) => s !== '')} />;
    case 'models':
      return id === undefined ? <ModelsPage /> : <ModelPage name={id} />;
    case 'deployments':
      return id === undefined ? <DeploymentsPage /> : <DeploymentPage name={id} query={route.query} />;
    case 'monitor':
      return id === undefined ? <MonitorPage /> : <MonitorModelPage model={id} query={route.query} />;
    case 'predictions':
      return id === undefined ? <PredictionsPage query={route.query} /> : <PredictionPage id={id} />;
    default:
      return <p class="error">No page '{section}'.</p>;
  }
}

export function App() {
  const route = useRoute();
  const [needKey, setNeedKey] = useState(isKeyNeeded());
  useEffect(() => onKeyChange(() => setNeedKey(isKeyNeeded())), []);
  const section = route.parts[0] ?? 'runs';
  return (
    <>
      <header>
        <a class="brand" href="#/runs">
          Hyperplane
        </a>
        <nav aria-label="Sections">
          {SECTIONS.map(([key, label]) => (
            <a key={key} href={`#/${key}`} aria-current={section === key || (key === 'runs' && section === 'compare') ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="spacer" />
        <KeyStatus />
        <a href="/docs" class="muted">
          API
        </a>
      </header>
      {/* With keys on, nothing the server sends is shown until a key it accepts is given. */}
      <main>{needKey ? <KeyPrompt /> : page(route)}</main>
    </>
  );
}
