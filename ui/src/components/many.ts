import { useEffect, useState } from 'preact/hooks';
import { getJson, onKeyChange } from '../api';

export interface Many<T> {
  /** Each path's answer, in the order of the paths (undefined while loading or when it failed). */
  data: (T | undefined)[];
  errors: (Error | undefined)[];
  /** How many have answered (or failed). */
  done: number;
}

/**
 * GETs every path, at most `limit` at a time (50 runs must not open 50 connections at once); each answer
 * is shown as it comes. A new list of paths starts over.
 */
export function useMany<T>(paths: readonly string[], limit = 6): Many<T> {
  const [state, setState] = useState<Many<T>>({ data: [], errors: [], done: 0 });
  const [tick, setTick] = useState(0);
  useEffect(() => onKeyChange(() => setTick((t) => t + 1)), []);
  const key = paths.join('\n');
  useEffect(() => {
    let current = true;
    const data: (T | undefined)[] = new Array(paths.length).fill(undefined);
    const errors: (Error | undefined)[] = new Array(paths.length).fill(undefined);
    let done = 0;
    let next = 0;
    setState({ data: [...data], errors: [...errors], done: 0 });
    const publish = (): void => {
      if (current) setState({ data: [...data], errors: [...errors], done });
    };
    const worker = async (): Promise<void> => {
      while (current && next < paths.length) {
        const i = next++;
        try {
          data[i] = await getJson<T>(paths[i]!);
        } catch (e) {
          errors[i] = e instanceof Error ? e : new Error(String(e));
        }
        done++;
        publish();
      }
    };
    for (let w = 0; w < Math.min(limit, paths.length); w++) void worker();
    return () => {
      current = false;
    };
  }, [key, limit, tick]);
  return state;
}
