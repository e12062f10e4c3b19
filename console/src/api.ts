// The console's only way to the hub: the public HTTP API under /v1 on the same origin.
// With a browser session (cookie) every non-GET request carries the CSRF token from the readable
// `shoptalk_csrf` cookie. Without a session, a developer can use a workspace API key kept in localStorage.

export const API_KEY_STORAGE = 'shoptalk.apiKey';

export type AuthMode = 'session' | 'apikey';

import type { components } from './api-types';

/** The signed-in user (an API key acts as an admin without a user record). */
export type User = Omit<components['schemas']['User'], 'created_at'>;

export type Workspace = components['schemas']['WorkspaceRef'];

export interface Session {
  user: User;
  workspace: Workspace;
  mode: AuthMode;
}

/** One field the server refused, and why (the field as the API names it: a form maps it to its label). */
export interface FieldError {
  field: string;
  message: string;
}

/** An API error with the body's message and, for validation_failed, the offending fields. */
export class ApiError extends Error {
  readonly fieldErrors: FieldError[];
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: string[],
    fieldErrors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
    this.fieldErrors = fieldErrors;
  }
}

let mode: AuthMode = 'session';

export function setAuthMode(next: AuthMode): void {
  mode = next;
}

export function getAuthMode(): AuthMode {
  return mode;
}

export function storedApiKey(): string | null {
  try {
    return window.localStorage.getItem(API_KEY_STORAGE);
  } catch {
    return null;
  }
}

export function storeApiKey(key: string | null): void {
  if (key) window.localStorage.setItem(API_KEY_STORAGE, key);
  else window.localStorage.removeItem(API_KEY_STORAGE);
}

function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** Listeners told when the API answers 401 (the session expired or was signed out elsewhere), so the app can return to the sign-in page and say so. */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

export function authHeaders(method: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (mode === 'apikey') {
    const key = storedApiKey();
    if (key) headers.authorization = `Bearer ${key}`;
  } else if (method !== 'GET' && method !== 'HEAD') {
    const csrf = readCookie('shoptalk_csrf');
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  return headers;
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { fields?: Array<{ field?: string; message?: string }> } };
}

function isErrorBody(v: unknown): v is ErrorBody {
  return typeof v === 'object' && v !== null && 'error' in v;
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON (a proxy's error page, say): fall back to the status text below.
  }
  if (isErrorBody(body) && body.error) {
    const fieldErrors = (body.error.details?.fields ?? []).filter((f) => f.field).map((f) => ({ field: f.field ?? '', message: f.message ?? 'is invalid' }));
    return new ApiError(res.status, body.error.code ?? 'error', body.error.message ?? res.statusText, fieldErrors.map((f) => f.field), fieldErrors);
  }
  return new ApiError(res.status, 'http_error', `${res.status} ${res.statusText || 'request failed'}`, []);
}

export interface RequestOptions {
  /** Do not announce a 401 (used while probing for a session). */
  quiet401?: boolean;
}

/** Sends a request and returns the parsed JSON body (undefined for 204/202 without a body). */
export async function api<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers = authHeaders(method);
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network_error', 'The hub could not be reached. Check that it is running.', []);
  }
  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401 && !opts.quiet401) unauthorizedListeners.forEach((fn) => fn());
    throw err;
  }
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Downloads a text resource (the usage CSV) with the current credentials. */
export async function downloadText(path: string): Promise<string> {
  const res = await fetch(path, { headers: authHeaders('GET'), credentials: 'same-origin' });
  if (!res.ok) throw await toApiError(res);
  return res.text();
}

export const get = <T>(path: string): Promise<T> => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown): Promise<T> => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body: unknown): Promise<T> => api<T>('PUT', path, body);
export const patch = <T>(path: string, body: unknown): Promise<T> => api<T>('PATCH', path, body);
export const del = (path: string): Promise<void> => api<void>('DELETE', path);

/** Builds a query string from the non-empty values. */
export function qs(params: Record<string, string | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const enc = encodeURIComponent;

// ---- Sessions ----

type SessionBody = components['schemas']['Session'];

/** A session's workspace is always there; a body without one is a hub in an inconsistent state. */
function toSession(body: SessionBody): Session {
  if (!body.workspace) throw new ApiError(500, 'internal', 'The workspace of this account no longer exists.', []);
  return { user: body.user, workspace: body.workspace, mode: 'session' };
}

export async function signIn(email: string, password: string): Promise<Session> {
  setAuthMode('session');
  return toSession(await api<SessionBody>('POST', '/v1/session', { email, password }, { quiet401: true }));
}

/** An API key is a developer convenience: it acts as an admin of the key's workspace. */
export async function signInWithKey(key: string): Promise<Session> {
  storeApiKey(key);
  setAuthMode('apikey');
  try {
    const ws = await api<components['schemas']['Workspace']>('GET', '/v1/workspace', undefined, { quiet401: true });
    return { user: { id: 'api-key', email: '', name: 'API key', role: 'admin' }, workspace: { id: ws.id, name: ws.name }, mode: 'apikey' };
  } catch (err) {
    storeApiKey(null);
    setAuthMode('session');
    throw err;
  }
}

/** The current session, else the stored API key's workspace, else null. */
export async function restoreSession(): Promise<Session | null> {
  setAuthMode('session');
  try {
    return toSession(await api<SessionBody>('GET', '/v1/session', undefined, { quiet401: true }));
  } catch (err) {
    if (err instanceof ApiError && err.status !== 401 && err.status !== 404) throw err;
  }
  const key = storedApiKey();
  if (!key) return null;
  try {
    return await signInWithKey(key);
  } catch {
    return null;
  }
}

export async function signOut(session: Session): Promise<void> {
  if (session.mode === 'apikey') {
    storeApiKey(null);
  } else {
    try {
      await api<void>('DELETE', '/v1/session', undefined, { quiet401: true });
    } catch {
      // The session may already be gone; signing out locally is what matters.
    }
  }
  setAuthMode('session');
}
