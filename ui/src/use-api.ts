import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, onKeyChange, type Params } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  loading: boolean;
  reload(): void;
}

/** GETs `path` with `params` whenever either changes (or the key does); the last answer wins. */
export function useApi<T>(path: string | null, params?: Params): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: Error | undefined; loading: boolean }>({ data: undefined, error: undefined, loading: path !== null });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => onKeyChange(reload), [reload]);
  const key = JSON.stringify(params ?? {});
  useEffect(() => {
    if (path === null) return;
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    getJson<T>(path, params).then(
      (data) => current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => current && setState({ data: undefined, error: error instanceof Error ? error : new Error(String(error)), loading: false }),
    );
    return () => {
      current = false;
    };
  }, [path, key, tick]);
  return { ...state, reload };
}
