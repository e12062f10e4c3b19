// The persistence port of users, their sessions and failed sign-ins.

export type UserRole = 'admin' | 'agent';

/** Set by the agent: only online agents get tickets by automatic assignment; going offline hands theirs on. */
export type Availability = 'online' | 'away' | 'offline';
export const availabilities: Availability[] = ['online', 'away', 'offline'];

export interface User {
  id: string;
  workspaceId: string;
  email: string;
  name: string | null;
  role: UserRole;
  createdAt: number;
  /** Set when an admin deactivated the user: no sessions, no sign-in, no tickets. */
  deactivatedAt: number | null;
  availability: Availability;
  /** Open tickets automatic assignment gives the user at most; null is no limit. */
  capacity: number | null;
}

export interface Session {
  id: string;
  userId: string;
  workspaceId: string;
  csrfToken: string;
  expiresAt: number;
}

export interface UsersRepo {
  create(workspaceId: string, input: { email: string; name: string | null; role: UserRole; passwordHash: string }): Promise<User>;
  get(workspaceId: string, id: string): Promise<User | null>;
  list(workspaceId: string): Promise<User[]>;
  remove(workspaceId: string, id: string): Promise<boolean>;
  update(workspaceId: string, id: string, patch: Partial<Pick<User, 'name' | 'role' | 'availability' | 'capacity' | 'deactivatedAt'>>): Promise<void>;
  /** Sign-in finds the user (and workspace) by e-mail; returns the stored hash too. */
  resolveByEmail(email: string): Promise<(User & { passwordHash: string }) | null>;
  /** Replaces the stored password hash (a cost upgrade at sign-in). */
  setPasswordHash(workspaceId: string, id: string, passwordHash: string): Promise<void>;
}

/** Failed sign-ins by key (a hashed e-mail address or trusted device id), shared by every process. */
export interface SignInFailuresRepo {
  record(key: string, at: number): Promise<void>;
  count(key: string, since: number): Promise<number>;
  oldest(key: string, since: number): Promise<number | null>;
  clear(key: string): Promise<void>;
}

export interface SessionsRepo {
  create(input: { tokenHash: string; userId: string; workspaceId: string; csrfToken: string; expiresAt: number }): Promise<Session>;
  /** Finds a live session by the hash of its token. */
  resolveByTokenHash(tokenHash: string, now: number): Promise<Session | null>;
  remove(id: string): Promise<void>;
  removeForUser(workspaceId: string, userId: string): Promise<void>;
}

/** The repositories of this module, as the unit of work hands them out. */
export interface UserRepos {
  users: UsersRepo;
  signInFailures: SignInFailuresRepo;
  sessions: SessionsRepo;
}
