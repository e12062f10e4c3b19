// Canned replies, labels and where they are, mentions.
import { sql } from 'kysely';
import type { Db } from '../database.js';
import type { CannedRepliesRepo, LabelsRepo, MentionsRepo } from '../../core/inbox-tools/repo.js';
import type { CannedReply, Label, Mention } from '../../core/inbox-tools/model.js';
import { newId } from '../../core/ids.js';
import { insertUnique } from './insert-unique.js';
import { isUniqueViolation } from '../database.js';
import { DuplicateError } from '../../core/errors.js';

const cannedFrom = (r: { id: string; workspace_id: string; name: string; body: string; created_at: number; updated_at: number }): CannedReply => ({
  id: r.id,
  workspaceId: r.workspace_id,
  name: r.name,
  body: r.body,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** A LIKE pattern that matches the text anywhere, with the pattern characters escaped. */
const containing = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

async function updateUnique(what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateError(what);
    throw err;
  }
}

export function cannedRepliesRepo(db: Db): CannedRepliesRepo {
  const get = async (workspaceId: string, id: string) => {
    const r = await db.selectFrom('canned_replies').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return r ? cannedFrom(r) : null;
  };
  return {
    async create(workspaceId, input) {
      const now = Date.now();
      const row = { id: newId('cr'), workspace_id: workspaceId, name: input.name, body: input.body, created_at: now, updated_at: now };
      await insertUnique('canned reply', () => db.insertInto('canned_replies').values(row).execute());
      return cannedFrom(row);
    },
    get,
    async update(workspaceId, id, patch) {
      const set: Record<string, unknown> = { updated_at: Date.now() };
      if (patch.name !== undefined) set['name'] = patch.name;
      if (patch.body !== undefined) set['body'] = patch.body;
      await updateUnique('canned reply', () => db.updateTable('canned_replies').set(set).where('workspace_id', '=', workspaceId).where('id', '=', id).execute());
    },
    async remove(workspaceId, id) {
      const res = await db.deleteFrom('canned_replies').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async list(workspaceId, opts) {
      let q = db.selectFrom('canned_replies').selectAll().where('workspace_id', '=', workspaceId);
      if (opts.query) {
        const pattern = containing(opts.query);
        q = q.where((eb) => eb.or([eb(sql`lower(name)`, 'like', sql`${pattern} escape '\\'`), eb(sql`lower(body)`, 'like', sql`${pattern} escape '\\'`)]));
        // Names that start with the query first, then other names that contain it, then bodies.
        q = q.orderBy(sql`case when lower(name) like ${`${opts.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\' then 0 when lower(name) like ${pattern} escape '\\' then 1 else 2 end`);
      }
      return (await q.orderBy('name').limit(opts.limit).execute()).map(cannedFrom);
    },
  };
}

const labelFrom = (r: { id: string; name: string; colour: string; created_at: number }): Label => ({ id: r.id, name: r.name, colour: r.colour, createdAt: Number(r.created_at) });

export function labelsRepo(db: Db): LabelsRepo {
  return {
    async create(workspaceId, input) {
      const row = { id: newId('lb'), workspace_id: workspaceId, name: input.name, colour: input.colour, created_at: Date.now() };
      await insertUnique('label', () => db.insertInto('labels').values(row).execute());
      return labelFrom(row);
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('labels').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? labelFrom(r) : null;
    },
    async list(workspaceId) {
      return (await db.selectFrom('labels').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').execute()).map(labelFrom);
    },
    async update(workspaceId, id, patch) {
      const set: Record<string, unknown> = {};
      if (patch.name !== undefined) set['name'] = patch.name;
      if (patch.colour !== undefined) set['colour'] = patch.colour;
      if (Object.keys(set).length === 0) return;
      await updateUnique('label', () => db.updateTable('labels').set(set).where('workspace_id', '=', workspaceId).where('id', '=', id).execute());
    },
    async remove(workspaceId, id) {
      await db.deleteFrom('label_links').where('workspace_id', '=', workspaceId).where('label_id', '=', id).execute();
      const res = await db.deleteFrom('labels').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async attach(workspaceId, labelId, target, targetId) {
      await db
        .insertInto('label_links')
        .values({ workspace_id: workspaceId, label_id: labelId, target_kind: target, target_id: targetId, created_at: Date.now() })
        .onConflict((oc) => oc.columns(['workspace_id', 'target_kind', 'target_id', 'label_id']).doNothing())
        .execute();
    },
    async detach(workspaceId, labelId, target, targetId) {
      await db.deleteFrom('label_links').where('workspace_id', '=', workspaceId).where('target_kind', '=', target).where('target_id', '=', targetId).where('label_id', '=', labelId).execute();
    },
    async on(workspaceId, target, targetIds) {
      const out = new Map<string, Label[]>(targetIds.map((id) => [id, []]));
      if (targetIds.length === 0) return out;
      const rows = await db
        .selectFrom('label_links as l')
        .innerJoin('labels as b', (j) => j.onRef('b.id', '=', 'l.label_id').onRef('b.workspace_id', '=', 'l.workspace_id'))
        .select(['l.target_id', 'b.id', 'b.name', 'b.colour', 'b.created_at'])
        .where('l.workspace_id', '=', workspaceId)
        .where('l.target_kind', '=', target)
        .where('l.target_id', 'in', targetIds)
        .orderBy('b.name')
        .execute();
      for (const r of rows) out.get(r.target_id)?.push(labelFrom(r));
      return out;
    },
  };
}

const mentionFrom = (r: { id: string; user_id: string; ticket_id: string; message_id: string; author: string | null; created_at: number; read_at: number | null }): Mention => ({
  id: r.id,
  userId: r.user_id,
  ticketId: r.ticket_id,
  messageId: r.message_id,
  author: r.author,
  createdAt: Number(r.created_at),
  readAt: r.read_at == null ? null : Number(r.read_at),
});

export function mentionsRepo(db: Db): MentionsRepo {
  return {
    async add(workspaceId, input) {
      const row = { id: newId('mn'), workspace_id: workspaceId, user_id: input.userId, ticket_id: input.ticketId, message_id: input.messageId, author: input.author, created_at: input.createdAt, read_at: null };
      await db.insertInto('mentions').values(row).execute();
      return mentionFrom(row);
    },
    async get(workspaceId, id) {
      const r = await db.selectFrom('mentions').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return r ? mentionFrom(r) : null;
    },
    async listForUser(workspaceId, userId, opts) {
      let q = db.selectFrom('mentions').selectAll().where('workspace_id', '=', workspaceId).where('user_id', '=', userId);
      if (opts.unreadOnly) q = q.where('read_at', 'is', null);
      return (await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute()).map(mentionFrom);
    },
    async unreadCount(workspaceId, userId) {
      const r = await db.selectFrom('mentions').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', workspaceId).where('user_id', '=', userId).where('read_at', 'is', null).executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    async markRead(workspaceId, userId, which, at) {
      let q = db.updateTable('mentions').set({ read_at: at }).where('workspace_id', '=', workspaceId).where('user_id', '=', userId).where('read_at', 'is', null);
      if (Array.isArray(which)) {
        if (which.length === 0) return 0;
        q = q.where('id', 'in', which);
      } else q = q.where('ticket_id', '=', which.ticketId);
      const res = await q.executeTakeFirst();
      return Number(res.numUpdatedRows);
    },
  };
}
