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

/** A field name as the API spells it, in words: "body.shop_domain" → "shop domain". */
export function fieldWords(field: string): string {
  return field.replace(/^(body|query|params)\.?/, '').replace(/\.(\d+)\./g, ' $1 ').replace(/[._]/g, ' ').trim() || 'this field';
}

/**
 * A server's problem with a field, in words: the API's own names replaced by the form's labels, and the schema
 * checker's phrasing ("expected string, received undefined") by what to do.
 */
export function problemInWords(message: string, labels: Record<string, string> = {}): string {
  const m = message.trim();
  if (/received undefined|^required$/i.test(m)) return 'is required';
  const tooSmall = /too small.*>=?\s*(\d+)\s*characters/i.exec(m);
  if (tooSmall) return tooSmall[1] === '1' ? 'is required' : `needs at least ${tooSmall[1]} characters`;
  const tooBig = /too big.*<=?\s*(\d+)\s*characters/i.exec(m);
  if (tooBig) return `can have at most ${tooBig[1]} characters`;
  if (/invalid option|invalid enum/i.test(m)) return 'is not one of the choices';
  if (/expected number/i.test(m)) return 'must be a number';
  return inWords(m.replace(/^Invalid input:?\s*/i, ''), labels);
}

/** A message with the API's field names replaced by labels (or plain words) and no code in parentheses. */
export function inWords(message: string, labels: Record<string, string> = {}): string {
  let m = message;
  for (const [name, label] of Object.entries(labels)) m = m.replace(new RegExp(`\\b${name}\\b`, 'g'), label.toLowerCase());
  return m.replace(/\b[a-z]+(?:_[a-z0-9]+)+\b/g, (w) => w.replace(/_/g, ' '));
}

/** A validation error's problems keyed by field (the API's name), in words. */
export function fieldProblems(error: unknown, labels: Record<string, string> = {}): Record<string, string> {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed') return {};
  const out: Record<string, string> = {};
  for (const f of error.fieldErrors) {
    const key = f.field.replace(/^(body|query|params)\./, '');
    if (!out[key]) out[key] = problemInWords(f.message, labels);
  }
  return out;
}

/**
 * An API error as the user should see it: the message in words and, for a validation error, each field by its
 * label. `labels` maps the API's field names to the form's labels; `inline` lists the fields the form already
 * shows next to their inputs.
 */
export function ErrorBox({ error, labels = {}, inline = [] }: { error: unknown; labels?: Record<string, string>; inline?: string[] }) {
  if (!error) return null;
  const problems = fieldProblems(error, labels);
  const fields = Object.keys(problems);
  const label = (f: string) => {
    const words = labels[f] ?? fieldWords(f);
    return words.charAt(0).toUpperCase() + words.slice(1);
  };
  if (fields.length > 0) {
    const listed = fields.filter((f) => !inline.includes(f));
    return (
      <div className="error" role="alert">
        <strong>{listed.length === 0 ? (fields.length === 1 ? 'Check the highlighted field.' : 'Check the highlighted fields.') : fields.length === 1 ? 'Check this field:' : 'Check these fields:'}</strong>
        {listed.length > 0 ? (
          <ul className="problems">
            {listed.map((f) => (
              <li key={f}>
                {label(f)} {problems[f]}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    );
  }
  return (
    <div className="error" role="alert">
      <strong>{inWords(errorMessage(error), labels)}</strong>
    </div>
  );
}

/** A page or section with nothing in it yet: what it is for, and the next thing to do. */
export function EmptyState({ title, children, action, testid }: { title: string; children?: ReactNode; action?: ReactNode; testid?: string }) {
  return (
    <div className="empty-state" data-testid={testid}>
      <p className="empty-title">{title}</p>
      {children ? <div className="empty-body">{children}</div> : null}
      {action ? <div className="empty-action">{action}</div> : null}
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
