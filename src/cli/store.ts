import { HyperplaneError } from '../errors.js';
import type { Run, Store } from '../store/index.js';

/**
 * Opens the project's store (`.hyperplane/` in the working directory, or $HYPERPLANE_STORE) for one
 * command and closes it after, whatever happens: a PostgreSQL pool would otherwise keep the process alive.
 */
export async function withStore<T>(use: (store: Store) => Promise<T>, options: { repair?: boolean } = {}): Promise<T> {
  const store = await openStoreLazily(options);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/**
 * The store's code (Kysely, SQLite) is loaded by the commands that use it, not by every command's start.
 * Changes made through it are audited as `cli:<os user>`.
 */
export async function openStoreLazily(options: { repair?: boolean } = {}): Promise<Store> {
  const { openStore } = await import('../store/index.js');
  return openStore({ ...options, actor: await cliActor() });
}

/** Who the CLI acts as, in the audit trail and on the notes it writes: `cli:<os user>`. */
export async function cliActor(): Promise<string> {
  const { osUser } = await import('../store/index.js');
  return `cli:${osUser()}`;
}

/** A run by id or unique prefix, or an error naming what was asked for and where it was looked for. */
export async function runOrFail(store: Store, ref: string): Promise<Run> {
  const run = await store.tracking.getRun(ref);
  if (run === undefined) {
    const short = ref.length < 6 ? ' (a shortened run id needs at least 6 characters)' : '';
    throw new HyperplaneError(`no run '${ref}' in ${store.location}${short}`, { field: 'run' });
  }
  return run;
}
