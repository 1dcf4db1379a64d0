import { openStore, type Store } from '../store/index.js';

/**
 * Opens the project's store (`.hyperplane/` in the working directory, or $HYPERPLANE_STORE) for one
 * command and closes it after, whatever happens: a PostgreSQL pool would otherwise keep the process alive.
 */
export async function withStore<T>(use: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore();
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}
