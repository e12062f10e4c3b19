// Small shared pieces: data loading with visible errors, error boxes, form fields, dates.
import { Component, useCallback, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError } from './api';

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  /** Loads again; `silent` keeps the current data on screen (used by polling and live updates). */
  reload: (silent?: boolean) => void;
  setData: (d: T) => void;
}

/** Loads `fn()` when `key` changes (null key: nothing to load). */
export function useLoad<T>(key: string | null, fn: () => Promise<T>): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(key !== null);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const seq = useRef(0);

  const run = useCallback(
    (silent: boolean) => {
      if (key === null) return;
      const mine = ++seq.current;
      if (!silent) setLoading(true);
      fnRef.current().then(
        (d) => {
          if (mine !== seq.current) return;
          setData(d);
          setError(null);
          setLoading(false);
        },
        (e: unknown) => {
          if (mine !== seq.current) return;
          setError(e);
          setLoading(false);
        },
      );
    },
    [key],
  );

  useEffect(() => {
    setData(null);
    run(false);
  }, [run]);

  const reload = useCallback((silent = false) => run(silent), [run]);
  return { data, error, loading, reload, setData };
}

/** Runs an action, keeping its busy state and error for display. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(null) };
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** An API error as the user should see it: the message, and the fields for validation errors. */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const fields = error instanceof ApiError && error.code === 'validation_failed' ? error.fields : [];
  const code = error instanceof ApiError ? error.code : null;
  return (
    <div className="error" role="alert">
      <strong>{errorMessage(error)}</strong>
      {code && code !== 'validation_failed' ? <span className="muted"> ({code})</span> : null}
      {fields.length > 0 ? (
        <div>
          Check: {fields.map((f) => <code key={f}>{f}</code>).reduce<ReactNode[]>((acc, el, i) => (i ? [...acc, ', ', el] : [el]), [])}
        </div>
      ) : null}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {label}
    </p>
  );
}

/** Shows loading, error or the content of a load. */
export function Async<T>({ load, children }: { load: Loaded<T>; children: (data: T) => ReactNode }) {
  if (load.loading && load.data === null) return <Loading />;
  if (load.error && load.data === null) return <ErrorBox error={load.error} />;
  if (load.data === null) return null;
  return (
    <>
      {load.error ? <ErrorBox error={load.error} /> : null}
      {children(load.data)}
    </>
  );
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.replace(/[^a-z_]/gi, '')}`}>{status}</span>;
}

/** A value shown once (a secret from a creation response), with a copy button. */
export function Secret({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(value).then(() => setCopied(true));
  };
  return (
    <div className="secret">
      <span className="secret-label">{label}</span>
      <code>{value}</code>
      <button type="button" className="small" onClick={copy}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

/**
 * Keeps a page's failure inside the page: the navigation stays, and the user reads what failed and can go on.
 * The shell gives each page its own boundary keyed by the path, so moving to another page starts afresh.
 */
export class PageErrorBoundary extends Component<{ children: ReactNode; page: string }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override componentDidCatch(error: Error): void {
    console.error(`The ${this.props.page} page failed`, error);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <section className="error" role="alert" data-testid="page-error">
        <h1>This page could not be shown</h1>
        <p>
          Something on the {this.props.page} page failed to display: {this.state.error.message}. The rest of the console still
          works; reload to try again, or pick another page.
        </p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </section>
    );
  }
}
