import type { ComponentChildren } from 'preact';
import { ApiError } from '../api';
import type { Loaded } from '../use-api';

/** What a page shows while it loads or when its request failed; the children once there is data. */
export function Status<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ComponentChildren }) {
  if (loaded.error !== undefined) return <ErrorBox error={loaded.error} />;
  if (loaded.data === undefined) return <p class="muted" aria-busy="true">Loading…</p>;
  return <>{children(loaded.data)}</>;
}

export function ErrorBox({ error }: { error: Error }) {
  const status = error instanceof ApiError ? `${error.status}: ` : '';
  return (
    <p class="error" role="alert">
      {status}
      {error.message}
    </p>
  );
}
