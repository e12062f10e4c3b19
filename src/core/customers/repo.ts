// The persistence port of customers: customers and their identities, and the erasure of one customer.
import type { Page } from '../page.js';

/** The kinds of identity a customer can have; chat ids are scoped to the channel account that knows them. */
export const identityKinds = ['whatsapp', 'messenger', 'line', 'sms', 'email', 'phone', 'store'] as const;

export type IdentityKind = (typeof identityKinds)[number];

export interface CustomerIdentity {
  id: string;
  customerId: string;
  kind: IdentityKind;
  /** Channel account id (LINE user ids, Messenger PSIDs) or store connection id (store customer ids); '' when global. */
  scope: string;
  value: string;
  createdAt: number;
  /** When the customer last wrote from this identity (chat identities); null when never seen. */
  lastActiveAt: number | null;
  /** The name the channel reports for a chat user (LINE profile API), when known. */
  displayName?: string | null;
  /** When the channel's profile was last asked for; null when never. */
  profileCheckedAt?: number | null;
}

export interface Customer {
  id: string;
  workspaceId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  identities: CustomerIdentity[];
  createdAt: number;
  updatedAt: number;
}

export interface CustomersRepo {
  create(workspaceId: string, input: { name: string | null; email: string | null; phone: string | null }): Promise<Customer>;
  get(workspaceId: string, id: string): Promise<Customer | null>;
  update(workspaceId: string, id: string, patch: Partial<{ name: string | null; email: string | null; phone: string | null }>): Promise<void>;
  list(workspaceId: string, opts: { limit: number; cursor: string | null; query?: string | null }): Promise<Page<Customer>>;
  /** Adds an identity; null when the same identity already belongs to a customer (see findByIdentity). */
  addIdentity(workspaceId: string, customerId: string, input: { kind: IdentityKind; scope: string; value: string }): Promise<CustomerIdentity | null>;
  removeIdentity(workspaceId: string, customerId: string, identityId: string): Promise<boolean>;
  findByIdentity(workspaceId: string, kind: IdentityKind, scope: string, value: string): Promise<Customer | null>;
  /** Records that the customer wrote from this identity at `at` (if the identity exists). */
  touchIdentity(workspaceId: string, kind: IdentityKind, scope: string, value: string, at: number): Promise<void>;
  /** Records what the channel's profile API said of a chat identity (a null name keeps the one known). */
  setIdentityProfile(workspaceId: string, identityId: string, profile: { displayName: string | null; checkedAt: number }): Promise<void>;
  remove(workspaceId: string, id: string): Promise<boolean>;
}

/** What identifies one customer in stored text, for erasure. */
export interface ErasureTarget {
  customerId: string;
  /** Lower-case e-mail addresses. */
  emails: string[];
  /** Phone numbers as digits with country code. */
  phones: string[];
  names: string[];
  /** Every identity value (chat ids, store customer ids, addresses) as stored. */
  addresses: string[];
}

export interface ErasureRepo {
  /** Scrubs one page (by id, after `afterId`) of `table`'s text in the workspace; returns the last id seen, null at the end. */
  scrubPage(workspaceId: string, table: string, target: ErasureTarget, afterId: string | null, limit: number): Promise<{ scrubbed: number; lastId: string | null }>;
  /** Deletes the customer and the rows that exist only for them; opt-outs are kept as hashes. Returns counts per table. */
  deleteLinked(workspaceId: string, target: ErasureTarget): Promise<Record<string, number>>;
  record(workspaceId: string, input: { customerId: string; requestedBy: string | null; counts: Record<string, number> }): Promise<{ id: string; erasedAt: number }>;
}

/** The repositories of this module, as the unit of work hands them out. */
export interface CustomerRepos {
  customers: CustomersRepo;
  erasure: ErasureRepo;
}
