// Customers with their identities, and their erasure (GDPR): rows that exist only for the customer are deleted;
// text elsewhere that names them (raw webhook bodies, order snapshots, event payloads, rendered messages,
// activities, tickets...) is scrubbed in place, so orders, usage and statistics stay. Opt-outs are kept as
// hashes: the address must stay suppressed without being readable.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Expression, ExpressionBuilder, Selectable, SqlBool } from 'kysely';
import type { Db } from '../database.js';
import type { CustomerIdentitiesTable, CustomersTable, Database } from '../schema.js';
import type { Customer, CustomerIdentity, CustomersRepo, ErasureRepo, ErasureTarget, IdentityKind } from '../../core/customers/repo.js';
import { newId } from '../../core/ids.js';
import { parseSearch } from '../../core/search/query.js';
import { containsCi, phoneContains } from './search.js';
import { decodeCursor, encodeCursor } from './cursor.js';

const identityFromRow = (r: Selectable<CustomerIdentitiesTable>): CustomerIdentity => ({
  id: r.id,
  customerId: r.customer_id,
  kind: r.kind as IdentityKind,
  scope: r.scope,
  value: r.value,
  createdAt: r.created_at,
  lastActiveAt: r.last_active_at ?? null,
  displayName: r.display_name ?? null,
  profileCheckedAt: r.profile_checked_at ?? null,
});

const customerFromRow = (r: Selectable<CustomersTable>, identities: CustomerIdentity[]): Customer => ({
  id: r.id,
  workspaceId: r.workspace_id,
  name: r.name,
  email: r.email,
  phone: r.phone,
  identities,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function customersRepo(db: Db): CustomersRepo {
  const withIdentities = async (workspaceId: string, rows: Array<Selectable<CustomersTable>>): Promise<Customer[]> => {
    if (rows.length === 0) return [];
    const ids = await db
      .selectFrom('customer_identities')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where(
        'customer_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('created_at')
      .execute();
    return rows.map((r) => customerFromRow(r, ids.filter((i) => i.customer_id === r.id).map(identityFromRow)));
  };
  const get = async (workspaceId: string, id: string): Promise<Customer | null> => {
    const row = await db.selectFrom('customers').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? ((await withIdentities(workspaceId, [row]))[0] ?? null) : null;
  };
  return {
    async create(workspaceId, input) {
      const now = Date.now();
      const row = { id: newId('cus'), workspace_id: workspaceId, name: input.name, email: input.email, phone: input.phone, created_at: now, updated_at: now };
      await db.insertInto('customers').values(row).execute();
      return customerFromRow(row, []);
    },
    get,
    async update(workspaceId, id, patch) {
      const values: Partial<Selectable<CustomersTable>> = { updated_at: Date.now() };
      if (patch.name !== undefined) values.name = patch.name;
      if (patch.email !== undefined) values.email = patch.email;
      if (patch.phone !== undefined) values.phone = patch.phone;
      await db.updateTable('customers').set(values).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
    async list(workspaceId, opts) {
      let q = db.selectFrom('customers').selectAll().where('workspace_id', '=', workspaceId);
      const after = decodeCursor(opts.cursor);
      if (after) q = q.where('id', '<', after);
      const search = parseSearch(opts.query);
      if (search) {
        const identityIds = (cond: (eb: ExpressionBuilder<Database, 'customer_identities'>) => Expression<SqlBool>) => (eb: ExpressionBuilder<Database, 'customers'>) =>
          eb('id', 'in', eb.selectFrom('customer_identities').select('customer_id').where('workspace_id', '=', workspaceId).where(cond));
        q = q.where((eb) =>
          eb.or([
            // Every word matches the name, the e-mail, the phone or an identity (a LINE name, an e-mail…).
            eb.and(
              search.terms.map((term) =>
                eb.or([
                  containsCi('name', term),
                  containsCi('email', term),
                  containsCi('phone', term),
                  identityIds((ie) => ie.or([containsCi('value', term), containsCi('display_name', term)]))(eb),
                ]),
              ),
            ),
            ...(search.phoneDigits
              ? [phoneContains('phone', search.phoneDigits), identityIds((ie) => ie.and([ie('kind', 'in', ['phone', 'whatsapp', 'sms']), phoneContains('value', search.phoneDigits!)]))(eb)]
              : []),
          ]),
        );
      }
      const rows = await q.orderBy('id', 'desc').limit(opts.limit + 1).execute();
      const items = await withIdentities(workspaceId, rows.slice(0, opts.limit));
      return { items, nextCursor: rows.length > opts.limit ? encodeCursor(items[items.length - 1]!.id) : null };
    },
    async addIdentity(workspaceId, customerId, input) {
      const row = { id: newId('cid'), workspace_id: workspaceId, customer_id: customerId, kind: input.kind, scope: input.scope, value: input.value, created_at: Date.now(), last_active_at: null, display_name: null, profile_checked_at: null };
      const res = await db
        .insertInto('customer_identities')
        .values(row)
        .onConflict((oc) => oc.columns(['workspace_id', 'kind', 'scope', 'value']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0 ? identityFromRow(row) : null;
    },
    async removeIdentity(workspaceId, customerId, identityId) {
      const res = await db
        .deleteFrom('customer_identities')
        .where('workspace_id', '=', workspaceId)
        .where('customer_id', '=', customerId)
        .where('id', '=', identityId)
        .executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async findByIdentity(workspaceId, kind, scope, value) {
      const r = await db
        .selectFrom('customer_identities')
        .select('customer_id')
        .where('workspace_id', '=', workspaceId)
        .where('kind', '=', kind)
        .where('scope', '=', scope)
        .where('value', '=', value)
        .executeTakeFirst();
      return r ? get(workspaceId, r.customer_id) : null;
    },
    async touchIdentity(workspaceId, kind, scope, value, at) {
      await db
        .updateTable('customer_identities')
        .set({ last_active_at: at })
        .where('workspace_id', '=', workspaceId)
        .where('kind', '=', kind)
        .where('scope', '=', scope)
        .where('value', '=', value)
        .where((eb) => eb.or([eb('last_active_at', 'is', null), eb('last_active_at', '<', at)]))
        .execute();
    },
    async setIdentityProfile(workspaceId, identityId, profile) {
      await db
        .updateTable('customer_identities')
        .set({ profile_checked_at: profile.checkedAt, ...(profile.displayName !== null ? { display_name: profile.displayName } : {}) })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', identityId)
        .execute();
    },
    async remove(workspaceId, id) {
      await db.deleteFrom('customer_identities').where('workspace_id', '=', workspaceId).where('customer_id', '=', id).execute();
      const res = await db.deleteFrom('customers').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
  };
}

export const ERASED = '[erased]';

/** The stored form of an erased customer's opt-out: enough to suppress the address, not to read it. */
export function hashedAddress(channel: string, address: string): string {
  return `sha256:${createHash('sha256').update(`${channel}:${address}`).digest('hex')}`;
}

/** Text columns that may carry a customer's personal data, per table (every table here has an id key). */
export const scrubbedColumns: Record<string, string[]> = {
  inbound_webhooks: ['headers', 'body'],
  events: ['payload'],
  orders: ['customer_name', 'email', 'phone', 'snapshot'],
  messages: ['recipient', 'content', 'reason'],
  activities: ['summary', 'data'],
  webhook_deliveries: ['payload', 'response_body'],
  tickets: ['customer_name', 'customer_external_id', 'subject', 'context'],
  ticket_messages: ['author', 'body', 'attachments'],
  contacts: ['name', 'email', 'phone', 'fields'],
  ndr_cases: ['address'],
  conversations: ['address', 'state'],
  loyalty_ledger: ['reference', 'details'],
  jobs: ['last_error'],
};

/** Keys of a JSON document about the customer whose values are personal whatever they say. */
const PERSONAL_KEYS = new Set([
  'first_name', 'last_name', 'firstname', 'lastname', 'full_name', 'customer_name', 'email', 'contact_email', 'phone', 'mobile', 'address',
  'address1', 'address2', 'zip', 'postal_code', 'latitude', 'longitude', 'company', 'note', 'recipient', 'to', 'from', 'rendered', 'renderedtext', 'text', 'body',
]);

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const wordRe = (w: string) => `(?<![\\p{L}\\p{N}])${escapeRe(w.trim()).replace(/\s+/g, '\\s+')}(?![\\p{L}\\p{N}])`;

export interface TargetPatterns {
  /** What identifies the customer on its own: e-mails, ids, phone digits in any layout, a full name of two words or more. */
  strong: RegExp;
  /** The above and the parts of their name: replaced only in text that the strong pattern ties to the customer. */
  all: RegExp;
}

export function targetPatterns(target: ErasureTarget): TargetPatterns | null {
  const strong: string[] = [];
  const weak: string[] = [];
  for (const e of target.emails) strong.push(escapeRe(e));
  for (const a of target.addresses) if (a.length >= 4) strong.push(escapeRe(a));
  for (const p of target.phones) {
    // The national part (last 9 digits) with any separators: "+1 (555) 010-7788", "5550107788", "15550107788".
    const digits = p.replace(/\D/g, '').slice(-9);
    if (digits.length >= 7) strong.push(digits.split('').join('[\\s().\\-]*'));
  }
  for (const n of target.names) {
    const words = n.trim().split(/\s+/).filter((w) => w.length >= 2);
    // A one-word name ("Ana") would match other people's text: it only counts where the customer is named otherwise.
    if (words.length >= 2) strong.push(wordRe(n));
    for (const w of words) weak.push(wordRe(w));
  }
  if (strong.length === 0) return null;
  // Longest alternatives first, so a full name is replaced whole rather than word by word.
  const all = [...strong, ...weak].sort((a, b) => b.length - a.length);
  return { strong: new RegExp(strong.join('|'), 'iu'), all: new RegExp(all.join('|'), 'giu') };
}

function scrubJson(value: unknown, pattern: RegExp): unknown {
  if (typeof value === 'string') return value.replace(pattern, ERASED);
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, pattern));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, PERSONAL_KEYS.has(k.toLowerCase()) && (typeof v === 'string' || typeof v === 'number') ? ERASED : scrubJson(v, pattern)]));
  }
  return value;
}

/** The text without the customer in it; a JSON document that mentions them also loses its personal fields. */
export function scrubText(text: string, patterns: TargetPatterns): string {
  if (!patterns.strong.test(text)) return text;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(scrubJson(JSON.parse(text), patterns.all));
    } catch {
      // Not JSON after all: scrubbed as text.
    }
  }
  return text.replace(patterns.all, ERASED);
}

export function erasureRepo(db: Db): ErasureRepo {
  return {
    async scrubPage(workspaceId, table, target, afterId, limit) {
      const columns = scrubbedColumns[table];
      const patterns = targetPatterns(target);
      if (!columns || !patterns) return { scrubbed: 0, lastId: null };
      const rows = (
        await sql<Record<string, string | null>>`select id, ${sql.join(columns.map((c) => sql.ref(c)))} from ${sql.table(table)}
          where workspace_id = ${workspaceId} ${afterId ? sql`and id > ${afterId}` : sql``} order by id limit ${limit}`.execute(db)
      ).rows;
      let scrubbed = 0;
      for (const row of rows) {
        const changes: Record<string, string> = {};
        for (const c of columns) {
          const value = row[c];
          if (typeof value !== 'string') continue;
          const clean = scrubText(value, patterns);
          if (clean !== value) changes[c] = clean;
        }
        if (Object.keys(changes).length === 0) continue;
        scrubbed += 1;
        await sql`update ${sql.table(table)} set ${sql.join(Object.entries(changes).map(([c, v]) => sql`${sql.ref(c)} = ${v}`))}
          where workspace_id = ${workspaceId} and id = ${row['id']}`.execute(db);
      }
      return { scrubbed, lastId: rows.length === limit ? (rows[rows.length - 1]!['id'] ?? null) : null };
    },

    async deleteLinked(workspaceId, target) {
      const counts: Record<string, number> = {};
      const n = (r: { numDeletedRows?: bigint; numUpdatedRows?: bigint }) => Number(r.numDeletedRows ?? r.numUpdatedRows ?? 0);
      const addresses = [...new Set([...target.addresses, ...target.emails, ...target.phones])];
      const id = target.customerId;

      const conversations = await db
        .selectFrom('conversations')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where((eb) => (addresses.length ? eb.or([eb('customer_id', '=', id), eb('address', 'in', addresses)]) : eb('customer_id', '=', id)))
        .execute();
      const conversationIds = conversations.map((c) => c.id);
      if (conversationIds.length) {
        counts['messages'] = n(await db.deleteFrom('messages').where('workspace_id', '=', workspaceId).where('conversation_id', 'in', conversationIds).executeTakeFirst());
        counts['verification_codes'] = n(await db.deleteFrom('verification_codes').where('workspace_id', '=', workspaceId).where('conversation_id', 'in', conversationIds).executeTakeFirst());
        counts['conversations'] = n(await db.deleteFrom('conversations').where('workspace_id', '=', workspaceId).where('id', 'in', conversationIds).executeTakeFirst());
      }
      if (addresses.length) {
        // Notifications sent to the customer outside a conversation keep their status (and usage), not their address.
        counts['messages_scrubbed'] = n(
          await db.updateTable('messages').set({ recipient: null, content: '{}' }).where('workspace_id', '=', workspaceId).where('recipient', 'in', addresses).executeTakeFirst(),
        );
        counts['verification_codes'] = (counts['verification_codes'] ?? 0) + n(await db.deleteFrom('verification_codes').where('workspace_id', '=', workspaceId).where('target', 'in', addresses).executeTakeFirst());
        counts['ndr_cases'] = n(await db.deleteFrom('ndr_cases').where('workspace_id', '=', workspaceId).where('address', 'in', addresses).executeTakeFirst());
        const optOuts = await db.selectFrom('opt_outs').selectAll().where('workspace_id', '=', workspaceId).where('address', 'in', addresses).execute();
        for (const o of optOuts) {
          await db.deleteFrom('opt_outs').where('workspace_id', '=', workspaceId).where('channel', '=', o.channel).where('address', '=', o.address).execute();
          await db
            .insertInto('opt_outs')
            .values({ ...o, address: hashedAddress(o.channel, o.address), source: 'erased' })
            .onConflict((oc) => oc.columns(['workspace_id', 'channel', 'address']).doNothing())
            .execute();
        }
        counts['opt_outs_hashed'] = optOuts.length;
        const contacts = await db
          .selectFrom('contacts')
          .select('id')
          .where('workspace_id', '=', workspaceId)
          .where((eb) => eb.or([eb('email', 'in', addresses), eb('phone', 'in', addresses)]))
          .execute();
        if (contacts.length) {
          const contactIds = contacts.map((c) => c.id);
          await db.deleteFrom('contact_field_values').where('workspace_id', '=', workspaceId).where('contact_id', 'in', contactIds).execute();
          counts['contacts'] = n(await db.updateTable('contacts').set({ name: null, email: null, phone: null, fields: '{}' }).where('workspace_id', '=', workspaceId).where('id', 'in', contactIds).executeTakeFirst());
          counts['tickets'] = n(
            await db.updateTable('tickets').set({ customer_name: null, customer_external_id: null }).where('workspace_id', '=', workspaceId).where('contact_id', 'in', contactIds).executeTakeFirst(),
          );
        }
      }
      counts['loyalty_ledger'] = n(await db.deleteFrom('loyalty_ledger').where('workspace_id', '=', workspaceId).where('customer_id', '=', id).executeTakeFirst());
      counts['loyalty_members'] = n(await db.deleteFrom('loyalty_members').where('workspace_id', '=', workspaceId).where('customer_id', '=', id).executeTakeFirst());
      counts['customer_identities'] = n(await db.deleteFrom('customer_identities').where('workspace_id', '=', workspaceId).where('customer_id', '=', id).executeTakeFirst());
      counts['customers'] = n(await db.deleteFrom('customers').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst());
      return counts;
    },

    async record(workspaceId, input) {
      const row = { id: newId('era'), workspace_id: workspaceId, customer_id: input.customerId, requested_by: input.requestedBy, counts: JSON.stringify(input.counts), erased_at: Date.now() };
      await db.insertInto('customer_erasures').values(row).execute();
      return { id: row.id, erasedAt: row.erased_at };
    },
  };
}
