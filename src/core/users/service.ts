// Console users and sessions: passwords hashed with scrypt (through a bounded gate), sessions identified by a
// random token (stored as a SHA-256 hash) and paired with a CSRF token the console sends back on every change.
//
// Wrong passwords lock an e-mail address out for a while, but only for browsers it was never used in: a
// successful sign-in leaves a signed device cookie, and a browser that presents it is counted on its own
// (OWASP "device cookies"), so an attacker guessing a user's password cannot keep that user out.
import { createHash, randomBytes } from 'node:crypto';
import { AppError, DuplicateError, invalidField, notFound } from '../errors.js';
import type { UnitOfWork } from '../repos.js';
import type { Session, User, UserRole } from './repo.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { CURRENT_COST, checkPassword, hashPassword, needsRehash } from './password.js';
import type { ScryptCost } from './password.js';
import { HashGate } from './hash-gate.js';

export const SESSION_TTL_MS = 7 * 24 * 3600_000;
/** How long a browser stays trusted for the user who signed in with it. */
export const DEVICE_TTL_MS = 180 * 24 * 3600_000;
const MIN_PASSWORD = 10;
/** Failed sign-ins per e-mail address (from untrusted browsers), or per trusted browser, within the window. */
export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 15 * 60_000;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface UserServiceOptions {
  secrets: SecretBox;
  /** Hashes that may run at once (the rest queue briefly). */
  hashConcurrency?: number;
  /** Hashes that may wait for a slot before sign-ins are refused with 429. */
  hashQueue?: number;
  cost?: ScryptCost;
  now?: () => number;
}

export interface SignInResult {
  user: User;
  token: string;
  session: Session;
  /** The device cookie's new value: this browser is trusted for the user from now on. */
  device: string;
}

export class UserService {
  readonly gate: HashGate;
  private readonly cost: ScryptCost;
  private readonly now: () => number;
  private readonly secrets: SecretBox;
  /** A hash of the current cost to check against when the e-mail is unknown, so both take as long. */
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly uow: UnitOfWork,
    opts: UserServiceOptions,
  ) {
    this.secrets = opts.secrets;
    this.gate = new HashGate(opts.hashConcurrency ?? 1, opts.hashQueue ?? 4);
    this.cost = opts.cost ?? CURRENT_COST;
    this.now = opts.now ?? Date.now;
  }

  private hash(password: string): Promise<string> {
    return this.gate.run(() => hashPassword(password, this.cost));
  }

  private check(password: string, stored: string): Promise<boolean> {
    return this.gate.run(() => checkPassword(password, stored));
  }

  /** Creates a user; without a password one is generated and returned (shown once). */
  async create(workspaceId: string, input: { email: string; name?: string | null; role: UserRole; password?: string | null }): Promise<{ user: User; password: string | null }> {
    const email = input.email.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw invalidField('email', 'is not a valid e-mail address');
    if (input.password != null && input.password.length < MIN_PASSWORD) throw invalidField('password', `must be at least ${MIN_PASSWORD} characters`);
    const password = input.password ?? randomBytes(12).toString('base64url');
    try {
      const user = await this.uow.repos.users.create(workspaceId, { email, name: input.name?.trim() || null, role: input.role, passwordHash: await this.hash(password) });
      return { user, password: input.password ? null : password };
    } catch (err) {
      if (err instanceof DuplicateError) throw new AppError('conflict', `a user with the e-mail ${email} exists`);
      throw err;
    }
  }

  /** Checks a new password's length and hashes it (through the gate), for an invitation being accepted. */
  async hashNewPassword(password: string): Promise<string> {
    if (password.length < MIN_PASSWORD) throw invalidField('password', `must be at least ${MIN_PASSWORD} characters`);
    return this.hash(password);
  }

  /** How a user signs their replies: their name, else their e-mail address. */
  async displayName(workspaceId: string, id: string): Promise<string | null> {
    const user = await this.uow.repos.users.get(workspaceId, id);
    return user ? user.name ?? user.email : null;
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    const user = await this.uow.repos.users.get(workspaceId, id);
    if (!user) throw notFound('user', id);
    const admins = (await this.uow.repos.users.list(workspaceId)).filter((u) => u.role === 'admin' && !u.deactivatedAt);
    if (user.role === 'admin' && !user.deactivatedAt && admins.length <= 1) throw new AppError('conflict', 'the last active admin of the workspace cannot be removed');
    if (!(await this.uow.repos.users.remove(workspaceId, id))) throw notFound('user', id);
  }

  /**
   * Signs in: a new session, its token (for the cookie), CSRF token and device cookie. `device` is the device
   * cookie the browser sent, if any.
   */
  async signIn(emailInput: string, password: string, device: string | null = null): Promise<SignInResult> {
    const email = emailInput.trim().toLowerCase();
    const now = this.now();
    const failures = this.uow.repos.signInFailures;
    const since = now - FAILURE_WINDOW_MS;
    const found = await this.uow.repos.users.resolveByEmail(email);
    const trusted = found ? this.trustedDevice(device, found.id) : null;
    // A trusted browser is counted on its own; every other browser shares the e-mail address's count.
    const key = trusted ? `device:${hashToken(trusted)}` : `email:${hashToken(email)}`;
    if ((await failures.count(key, since)) >= MAX_FAILURES) {
      const oldest = await failures.oldest(key, since);
      const retry = Math.max(1, Math.ceil(((oldest ?? now) + FAILURE_WINDOW_MS - now) / 1000));
      throw new AppError('rate_limited', `too many failed sign-ins for this e-mail; try again in ${Math.ceil(retry / 60)} minute(s), or from a browser you signed in with before`, {
        retry_after_seconds: retry,
      });
    }
    const stored = found?.passwordHash ?? (await this.dummy());
    const ok = await this.check(password, stored);
    if (!found || !ok) {
      await failures.record(key, now);
      throw new AppError('unauthenticated', 'the e-mail or password is not right');
    }
    await failures.clear(key);
    // Said only to someone who knows the password: the account exists but an admin turned it off.
    if (found.deactivatedAt) throw new AppError('unauthenticated', 'this account has been deactivated; ask an admin of the workspace');
    // Hashes of an older, cheaper cost are replaced now that the password is known.
    if (needsRehash(found.passwordHash, this.cost)) await this.uow.repos.users.setPasswordHash(found.workspaceId, found.id, await this.hash(password));
    const token = randomBytes(32).toString('base64url');
    const session = await this.uow.repos.sessions.create({ tokenHash: hashToken(token), userId: found.id, workspaceId: found.workspaceId, csrfToken: randomBytes(24).toString('base64url'), expiresAt: now + SESSION_TTL_MS });
    const { passwordHash: _hash, ...user } = found;
    return { user, token, session, device: trusted ? (device as string) : this.newDevice(found.id, now) };
  }

  /** Made once (through the gate); a refused attempt is not remembered. */
  private dummy(): Promise<string> {
    if (!this.dummyHash) {
      const made = this.hash(randomBytes(12).toString('base64url'));
      this.dummyHash = made;
      made.catch(() => {
        if (this.dummyHash === made) this.dummyHash = null;
      });
    }
    return this.dummyHash;
  }

  /** A device cookie: the user, a random id and its expiry, signed with a key derived from the master key. */
  private newDevice(userId: string, now: number): string {
    const body = `${userId}.${randomBytes(16).toString('base64url')}.${(now + DEVICE_TTL_MS).toString(36)}`;
    return `${body}.${this.secrets.mac('trusted-device', body)}`;
  }

  /** True when the cookie is a device cookie this installation issued and it has not expired (of any user). */
  isGenuineDevice(cookie: string | null): boolean {
    const parts = cookie && cookie.length <= 300 ? cookie.split('.') : [];
    if (parts.length !== 4) return false;
    const [owner, id, expires, mac] = parts as [string, string, string, string];
    return this.secrets.verifyMac('trusted-device', `${owner}.${id}.${expires}`, mac) && parseInt(expires, 36) >= this.now();
  }

  /** The device id when the cookie is genuine, unexpired and was issued to this user; else null. */
  private trustedDevice(cookie: string | null, userId: string): string | null {
    if (!cookie || !this.isGenuineDevice(cookie)) return null;
    const [owner, id] = cookie.split('.') as [string, string];
    return owner === userId ? id : null;
  }

  async resolve(token: string): Promise<{ user: User; session: Session } | null> {
    if (!token || token.length > 200) return null;
    const session = await this.uow.repos.sessions.resolveByTokenHash(hashToken(token), this.now());
    if (!session) return null;
    const user = await this.uow.repos.users.get(session.workspaceId, session.userId);
    return user && !user.deactivatedAt ? { user, session } : null;
  }

  async signOut(sessionId: string): Promise<void> {
    await this.uow.repos.sessions.remove(sessionId);
  }
}
