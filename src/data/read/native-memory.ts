import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options?: { type?: 'major' | 'minor' }) => void;
let collect: Collect | undefined;

/**
 * DuckDB's results and chunks live outside V8's heap and are freed only by their wrappers' finalizers, which
 * run after a garbage collection finds the wrappers, and V8 does not count that memory as pressure: copying a
 * large result out left every chunk's copy (together as big as the result) and the result itself resident well
 * into training, with no collection to free them. So the reader asks for one. `--expose-gc` set at run
 * time only makes `gc` callable from a new context; it changes nothing else.
 */
function gc(): Collect {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  }
  return collect;
}

/** Collects (a young-generation scavenge, or the whole heap), then yields, so the finalizers queued by it run and free native memory. */
export async function freeNativeGarbage(type: 'minor' | 'major'): Promise<void> {
  gc()({ type });
  await new Promise<void>((resolve) => setImmediate(resolve));
}
