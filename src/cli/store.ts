import type { Store } from '../store/index.js';

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

/** The store's code (Kysely, SQLite) is loaded by the commands that use it, not by every command's start. */
export async function openStoreLazily(options: { repair?: boolean } = {}): Promise<Store> {
  const { openStore } = await import('../store/index.js');
  return openStore(options);
}
