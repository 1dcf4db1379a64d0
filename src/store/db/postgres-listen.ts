import { parsePostgresUri } from './postgres.js';

/**
 * Calls `onChange` whenever another process moves an alias, changes a deployment or an API key in
 * this PostgreSQL store (triggers NOTIFY `hyperplane_changes`). Returns a function that stops
 * listening. A lost connection only ends the notifications: the caller's poll still catches up.
 */
export async function listenForChanges(uri: string, onChange: (table: string) => void, onError: (e: Error) => void = () => undefined): Promise<() => Promise<void>> {
  const { default: pg } = await import('pg');
  const target = parsePostgresUri(uri);
  const client = new pg.Client({ connectionString: target.url, ...(target.schema === null ? {} : { options: `-c search_path=${target.schema}` }) });
  client.on('error', onError);
  client.on('notification', (n) => onChange(n.payload ?? ''));
  await client.connect();
  await client.query('listen hyperplane_changes');
  return async () => {
    await client.end().catch(() => undefined);
  };
}
