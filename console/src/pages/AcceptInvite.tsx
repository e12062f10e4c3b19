// The page an invitation link opens (/invite#<token>): the invited person chooses their name and password,
// then signs in. A used, expired or withdrawn link says so. The token stays in the fragment, which the browser
// never sends to the server.
import { useEffect, useId, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError, post } from '../api';
import type { InviteCheck } from '../types';
import { ErrorBox, Loading, useAction, when } from '../ui';

export function AcceptInvitePage({ onDone }: { onDone: (email: string) => void }) {
  const token = window.location.hash.replace(/^#/, '');
  const [check, setCheck] = useState<InviteCheck | null>(null);
  const [checkError, setCheckError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const action = useAction();
  const id = useId();

  useEffect(() => {
    if (!token) {
      setCheckError(new ApiError(404, 'not_found', 'This invitation link is incomplete: open the whole link you were sent.', []));
      return;
    }
    post<InviteCheck>('/v1/invite/check', { token }).then(setCheck, setCheckError);
  }, [token]);

  useEffect(() => {
    document.title = 'Accept the invitation · Shoptalk';
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMismatch(password !== again);
    if (password !== again) return;
    const user = await action.run(() => post<{ email: string }>('/v1/invite/accept', { token, name: name.trim(), password }));
    if (user) onDone(user.email);
  };

  return (
    <section className="card signin" data-testid="accept-invite">
      <h1>Join Shoptalk</h1>
      {checkError ? (
        <div data-testid="invite-error">
          <ErrorBox error={checkError} />
        </div>
      ) : !check ? (
        <Loading label="Checking the invitation…" />
      ) : (
        <form onSubmit={(e) => void submit(e)}>
          <p>
            You are invited to <strong>{check.workspace_name}</strong> as {check.role === 'admin' ? 'an admin' : 'an agent'}, with the e-mail <strong data-testid="invite-email-shown">{check.email}</strong>. The link works once, until{' '}
            {when(check.expires_at)}.
          </p>
          <div className="field">
            <label htmlFor={`${id}-name`}>Your name (colleagues see it; it signs your replies)</label>
            <input id={`${id}-name`} data-testid="accept-name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-pw`}>Password (at least 10 characters)</label>
            <input id={`${id}-pw`} data-testid="accept-password" type="password" autoComplete="new-password" minLength={10} value={password} onChange={(e) => setPassword(e.target.value)} required />
          </div>
          <div className="field">
            <label htmlFor={`${id}-pw2`}>The password again</label>
            <input id={`${id}-pw2`} data-testid="accept-password-again" type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} required aria-invalid={mismatch || undefined} />
            {mismatch ? <p className="error-text">The two passwords differ.</p> : null}
          </div>
          <ErrorBox error={action.error} labels={{ name: 'Your name', password: 'Password' }} />
          <button type="submit" className="primary" data-testid="accept-submit" disabled={action.busy}>
            {action.busy ? 'Creating your account…' : 'Create my account'}
          </button>
        </form>
      )}
    </section>
  );
}
