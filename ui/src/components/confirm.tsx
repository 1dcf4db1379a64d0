import { useState } from 'preact/hooks';
import { ErrorBox } from './status';

interface ConfirmProps {
  /** What the button does, in a few words. */
  label: string;
  /** The question asked before it is done. */
  question: string;
  disabled?: boolean;
  run(): Promise<string>;
}

/** An action that asks first, then says what happened (or why not). */
export function ConfirmAction({ label, question, disabled, run }: ConfirmProps) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  return (
    <span class="action">
      {!asking ? (
        <button type="button" disabled={disabled === true || busy} onClick={() => (setAsking(true), setDone(undefined), setError(undefined))}>
          {label}
        </button>
      ) : (
        <span role="dialog" aria-label="Confirm" class="confirm">
          {question}{' '}
          <button
            type="button"
            class="danger"
            disabled={busy}
            onClick={() => {
              setBusy(true);
              run().then(
                (message) => (setDone(message), setAsking(false), setBusy(false)),
                (e: unknown) => (setError(e instanceof Error ? e : new Error(String(e))), setAsking(false), setBusy(false)),
              );
            }}
          >
            Confirm
          </button>{' '}
          <button type="button" onClick={() => setAsking(false)}>
            Cancel
          </button>
        </span>
      )}
      {done !== undefined && (
        <span class="ok" role="status">
          {done}
        </span>
      )}
      {error !== undefined && <ErrorBox error={error} />}
    </span>
  );
}
