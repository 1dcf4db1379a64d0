/**
 * The dashboard's one way to the server: JSON under /v1, with the API key in the Authorization header
 * (never a cookie, so another site's page cannot act with it), kept in sessionStorage (gone with the tab).
 */
const KEY_ITEM = 'hyperplane.apiKey';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const keyListeners = new Set<Listener>();
let keyNeeded = false;

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY_ITEM);
}

export function setApiKey(key: string | null): void {
  if (key === null || key === '') sessionStorage.removeItem(KEY_ITEM);
  else sessionStorage.setItem(KEY_ITEM, key);
  keyNeeded = false;
  for (const l of keyListeners) l();
}

/** Whether the server refused the key (or its absence) since the last one was entered. */
export function isKeyNeeded(): boolean {
  return keyNeeded;
}

export function onKeyChange(listener: Listener): () => void {
  keyListeners.add(listener);
  return () => keyListeners.delete(listener);
}

function headers(extra?: Record<string, string>): Record<string, string> {
  const key = apiKey();
  return { accept: 'application/json', ...(key !== null ? { authorization: `Bearer ${key}` } : {}), ...extra };
}

export type Params = Record<string, string | number | boolean | readonly string[] | undefined | null>;

/** `path?params`, repeating a list's values (`where=a&where=b`) and leaving out empty ones. */
export function withParams(path: string, params?: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const item of v as readonly string[]) q.append(k, item);
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s === '' ? path : `${path}?${s}`;
}

async function answer<T>(response: Response): Promise<T> {
  if (response.ok) return (await response.json()) as T;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { message?: unknown };
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON: the status says what there is to say.
  }
  if (response.status === 401) {
    keyNeeded = true;
    for (const l of keyListeners) l();
  }
  throw new ApiError(response.status, message);
}

export async function getJson<T>(path: string, params?: Params): Promise<T> {
  return answer<T>(await fetch(withParams(path, params), { headers: headers() }));
}

export async function putJson<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(await fetch(path, { method: 'PUT', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) }));
}

/** Downloads with the key: a plain link could not send the header. */
export async function download(path: string, fileName: string): Promise<void> {
  const response = await fetch(path, { headers: headers({ accept: '*/*' }) });
  if (!response.ok) await answer(response);
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
