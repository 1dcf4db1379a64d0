import { useState } from 'preact/hooks';
import { apiKey, setApiKey } from '../api';

/** Asked for when the server answers 401: no data is shown until a key it accepts is given. */
export function KeyPrompt() {
  const [value, setValue] = useState('');
  const had = apiKey() !== null;
  return (
    <form
      class="key-prompt"
      aria-label="API key"
      onSubmit={(e) => {
        e.preventDefault();
        setApiKey(value.trim());
      }}
    >
      <h2>An API key is needed</h2>
      <p>{had ? 'The server refused the key given (unknown, revoked or expired).' : 'This server has API keys: give one with the read scope (an admin key can also move aliases and change deployments).'}</p>
      <p class="muted">
        Make one with <code>hyperplane keys create NAME --scope read</code>. It is kept in this tab only (sessionStorage) and sent in the Authorization header.
      </p>
      <label>
        Key <input type="password" name="key" autoComplete="off" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} required />
      </label>
      <button type="submit">Use this key</button>
    </form>
  );
}

export function KeyStatus() {
  const key = apiKey();
  if (key === null) return null;
  return (
    <button type="button" class="link" title="Forget the key in this tab" onClick={() => setApiKey(null)}>
      forget key
    </button>
  );
}
