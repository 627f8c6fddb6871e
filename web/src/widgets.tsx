/** Small widgets every page uses: a labelled control, a status line, the sign-in prompt. */
import { cloneElement, useId, type ReactElement } from 'react';
import { Link } from './router';

/** A labelled control: the label names it exactly (`for`/`id`), so its accessible name is `label`. */
export function Field({ label, children }: { label: string; children: ReactElement<{ id?: string }> }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id })}
    </div>
  );
}

export function Status({ message, error }: { message: string | null; error?: boolean }) {
  return (
    <p role={error ? 'alert' : 'status'} className={error ? 'error' : 'note'}>
      {message}
    </p>
  );
}

/** Shown instead of a page that needs an account. */
export function SignInFirst({ what }: { what: string }) {
  return (
    <p>
      <Link to="/signin">Sign in</Link> to see {what}.
    </p>
  );
}
