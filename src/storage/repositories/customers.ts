// Customers with their identities, and opt-outs per channel and address.
import type { Expression, ExpressionBuilder, Selectable, SqlBool } from 'kysely';
import type { Db } from '../database.js';
import type { Database } from '../schema.js';
import { parseSearch } from '../../core/search/query.js';
import { containsCi, phoneContains } from './search.js';
import { hashedAddress } from './erasure.js';
import type { CustomerIdentitiesTable, CustomersTable } from '../schema.js';
import type { Customer, CustomerIdentity, IdentityKind } from '../../core/customers/repo.js';
import type { Repos } from '../../core/repos.js';
import { newId } from '../../core/ids.js';
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

export function customersRepo(db: Db): Repos['customers'] {
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

export function optOutsRepo(db: Db): Repos['optOuts'] {
  return {
    async add(workspaceId, input) {
      const res = await db
        .insertInto('opt_outs')
        .values({ workspace_id: workspaceId, channel: input.channel, address: input.address, source: input.source, created_at: Date.now() })
        .onConflict((oc) => oc.columns(['workspace_id', 'channel', 'address']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async remove(workspaceId, channel, address) {
      const res = await db.deleteFrom('opt_outs').where('workspace_id', '=', workspaceId).where('channel', '=', channel).where('address', 'in', [address, hashedAddress(channel, address)]).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async removeIfSource(workspaceId, channel, address, source) {
      const res = await db
        .deleteFrom('opt_outs')
        .where('workspace_id', '=', workspaceId)
        .where('channel', '=', channel)
        .where('address', '=', address)
        .where('source', '=', source)
        .executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async has(workspaceId, channel, address) {
      // An erased customer's opt-out is kept as a hash of the address.
      const r = await db.selectFrom('opt_outs').select('address').where('workspace_id', '=', workspaceId).where('channel', '=', channel).where('address', 'in', [address, hashedAddress(channel, address)]).executeTakeFirst();
      return r != null;
    },
    async list(workspaceId, opts) {
      let q = db.selectFrom('opt_outs').selectAll().where('workspace_id', '=', workspaceId);
      if (opts.channel) q = q.where('channel', '=', opts.channel);
      // The cursor is the (created_at, channel, address) of the last row, newest first.
      if (opts.cursor) {
        const [at, channel, address] = JSON.parse(Buffer.from(opts.cursor, 'base64url').toString('utf8')) as [number, string, string];
        q = q.where((eb) =>
          eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb.or([eb('channel', '>', channel), eb.and([eb('channel', '=', channel), eb('address', '>', address)])])])]),
        );
      }
      const rows = await q.orderBy('created_at', 'desc').orderBy('channel').orderBy('address').limit(opts.limit + 1).execute();
      const items = rows.slice(0, opts.limit).map((r) => ({ channel: r.channel, address: r.address, source: r.source, createdAt: r.created_at }));
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > opts.limit && last ? Buffer.from(JSON.stringify([last.createdAt, last.channel, last.address])).toString('base64url') : null };
    },
  };
}
