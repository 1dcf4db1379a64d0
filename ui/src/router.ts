import { useEffect, useState } from 'preact/hooks';

/** Where the dashboard is: `#/runs/abc?x=1` as `['runs', 'abc']` and its query. Hash routes need no server fallback. */
export interface Route {
  parts: string[];
  query: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = hash.split('?', 2) as [string?, string?];
  return { parts: path.split('/').filter((p) => p !== '').map(decodeURIComponent), query: new URLSearchParams(search) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const changed = (): void => setRoute(currentRoute());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** `#/a/b?query`, each part encoded. */
export function href(parts: readonly (string | number)[], query?: URLSearchParams | Record<string, string>): string {
  const q = query === undefined ? '' : new URLSearchParams(query).toString();
  return `#/${parts.map((p) => encodeURIComponent(String(p))).join('/')}${q !== '' ? `?${q}` : ''}`;
}

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else location.hash = to.replace(/^#/, '');
  if (replace) dispatchEvent(new HashChangeEvent('hashchange'));
}
