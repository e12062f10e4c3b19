// Console users and sessions: passwords hashed with scrypt, sessions identified by a random token (stored as a
// SHA-256 hash) and paired with a CSRF token the console sends back on every change.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { AppError, DuplicateError, invalidField, notFound } from '../errors.js';
import type { Session, UnitOfWork, User, UserRole } from '../repos.js';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

export const SESSION_TTL_MS = 7 * 24 * 3600_000;
const MIN_PASSWORD = 10;
/** Failed sign-ins per e-mail address within a minute before further tries are refused. */
const MAX_FAILURES_PER_MINUTE = 5;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const [kind, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}

// A fixed hash to compare against when the e-mail is unknown, so the answer takes as long as for a known one.
const DUMMY_HASH = 'scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export class UserService {
  private failures = new Map<string, number[]>();

  constructor(private readonly uow: UnitOfWork) {}

  /** Creates a user; without a password one is generated and returned (shown once). */
  async create(workspaceId: string, input: { email: string; name?: string | null; role: UserRole; password?: string | null }): Promise<{ user: User; password: string | null }> {
    const email = input.email.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw invalidField('email', 'is not a valid e-mail address');
    if (input.password != null && input.password.length < MIN_PASSWORD) throw invalidField('password', `must be at least ${MIN_PASSWORD} characters`);
    const password = input.password ?? randomBytes(12).toString('base64url');
    try {
      const user = await this.uow.repos.users.create(workspaceId, { email, name: input.name?.trim() || null, role: input.role, passwordHash: await hashPassword(password) });
      return { user, password: input.password ? null : password };
    } catch (err) {
      if (err instanceof DuplicateError) throw new AppError('conflict', `a user with the e-mail ${email} exists`);
      throw err;
    }
  }

  /** How a user signs their replies: their name, else their e-mail address. */
  async displayName(workspaceId: string, id: string): Promise<string | null> {
    const user = await this.uow.repos.users.get(workspaceId, id);
    return user ? user.name ?? user.email : null;
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    if (!(await this.uow.repos.users.remove(workspaceId, id))) throw notFound('user', id);
  }

  /** Signs in: a new session, its token (for the cookie) and CSRF token. */
  async signIn(emailInput: string, password: string): Promise<{ user: User; token: string; session: Session }> {
    const email = emailInput.trim().toLowerCase();
    const now = Date.now();
    const recent = (this.failures.get(email) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= MAX_FAILURES_PER_MINUTE) throw new AppError('rate_limited', 'too many failed sign-ins for this e-mail; wait a minute');
    const found = await this.uow.repos.users.resolveByEmail(email);
    const ok = await checkPassword(password, found?.passwordHash ?? DUMMY_HASH);
    if (!found || !ok) {
      this.failures.set(email, [...recent, now]);
      throw new AppError('unauthenticated', 'the e-mail or password is not right');
    }
    this.failures.delete(email);
    const token = randomBytes(32).toString('base64url');
    const session = await this.uow.repos.sessions.create({ tokenHash: hashToken(token), userId: found.id, workspaceId: found.workspaceId, csrfToken: randomBytes(24).toString('base64url'), expiresAt: now + SESSION_TTL_MS });
    const { passwordHash: _hash, ...user } = found;
    return { user, token, session };
  }

  async resolve(token: string): Promise<{ user: User; session: Session } | null> {
    if (!token || token.length > 200) return null;
    const session = await this.uow.repos.sessions.resolveByTokenHash(hashToken(token), Date.now());
    if (!session) return null;
    const user = await this.uow.repos.users.get(session.workspaceId, session.userId);
    return user ? { user, session } : null;
  }

  async signOut(sessionId: string): Promise<void> {
    await this.uow.repos.sessions.remove(sessionId);
  }
}
