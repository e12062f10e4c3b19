import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { signIn, signInWithKey } from '../api';
import type { Session } from '../api';
import { ErrorBox, useAction } from '../ui';

export function SignInPage({ onSignedIn, expired = false }: { onSignedIn: (s: Session) => void; expired?: boolean }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [useKey, setUseKey] = useState(false);
  const [key, setKey] = useState('');
  const action = useAction();
  const id = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const s = await action.run(() => (useKey ? signInWithKey(key.trim()) : signIn(email.trim(), password)));
    if (s) onSignedIn(s);
  };

  return (
    <section className="card signin">
      <h1>Sign in to Shoptalk</h1>
      {expired ? (
        <p className="notice" role="status" data-testid="session-expired">
          Your session expired — sign in again. You will return to the page you were on.
        </p>
      ) : null}
      <form onSubmit={(e) => void submit(e)}>
        {useKey ? (
          <div className="field">
            <label htmlFor={`${id}-key`}>Workspace API key</label>
            <input id={`${id}-key`} data-testid="signin-apikey" value={key} onChange={(e) => setKey(e.target.value)} placeholder="stk_…" autoComplete="off" required />
            <p className="hint">A developer convenience: the key is kept in this browser's local storage until you sign out.</p>
          </div>
        ) : (
          <>
            <div className="field">
              <label htmlFor={`${id}-email`}>E-mail</label>
              <input id={`${id}-email`} data-testid="signin-email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
            </div>
            <div className="field">
              <label htmlFor={`${id}-password`}>Password</label>
              <input id={`${id}-password`} data-testid="signin-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
            </div>
          </>
        )}
        <ErrorBox error={action.error} />
        <div className="actions">
          <button type="submit" className="primary" data-testid="signin-submit" disabled={action.busy}>
            {action.busy ? 'Signing in…' : 'Sign in'}
          </button>
          <button
            type="button"
            className="link"
            data-testid="signin-use-key"
            onClick={() => {
              setUseKey(!useKey);
              action.clear();
            }}
          >
            {useKey ? 'Use e-mail and password' : 'Use an API key'}
          </button>
        </div>
      </form>
    </section>
  );
}
