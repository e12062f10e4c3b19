// Canned replies, labels on tickets and contacts, and the signed-in user's mentions. Admins keep the workspace's
// canned replies and label set; agents search and insert the replies, label tickets and contacts, read mentions.
// Private notes are written with POST /v1/tickets/:id/notes (or POST /v1/tickets/:id/messages with internal).
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import { idParams, iso } from '../views.js';
import { invalidField } from '../../core/errors.js';
import { CANNED_VARIABLES } from '../../core/inbox-tools/canned-text.js';
import { MAX_CANNED_BODY, MAX_NOTE_BODY } from '../../core/inbox-tools/service.js';
import type { LabelTarget } from '../../core/inbox-tools/model.js';
import { admin, agent } from '../roles.js';
import { cannedView, labelView, mentionView, renderedCannedView } from '../inbox-tools-views.js';

const cannedBody = z.object({ name: z.string().max(60), body: z.string().max(MAX_CANNED_BODY) });
const labelBody = z.object({ name: z.string().max(50), colour: z.string().max(7).describe('#rrggbb') });
const searchQuery = z.object({ query: z.string().max(100).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });
const targetParams = z.object({ id: z.string().min(1).max(100), label_id: z.string().min(1).max(100) });

export const inboxToolRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  const tools = deps.inboxTools;
  const agentName = async (ws: string, userId: string | null) => (userId ? await deps.users.displayName(ws, userId) : null);
  const signedInUser = (userId: string | null): string => {
    if (!userId) throw invalidField('session', 'mentions belong to a signed-in user; an API key has none');
    return userId;
  };

  // ---- canned replies

  app.get('/canned-replies/variables', { config: agent, schema: { tags: ['inbox'], summary: 'The variables a canned reply may use', response: { 200: rs.CannedVariableList } } }, async () => ({
    data: Object.entries(CANNED_VARIABLES).map(([name, description]) => ({ name, description })),
  }));
  app.get('/canned-replies', { config: agent, schema: { tags: ['inbox'], summary: 'Canned replies; query matches the name or the text', querystring: searchQuery, response: { 200: rs.CannedReplyList } } }, async (req) => ({
    data: (await tools.listCanned(req.auth.workspaceId, { query: req.query.query ?? null, limit: req.query.limit })).map(cannedView),
  }));
  app.post(
    '/canned-replies',
    { config: admin, schema: { tags: ['inbox'], summary: 'A canned reply: plain text with {{variables}} from GET /v1/canned-replies/variables; any other variable is refused', body: cannedBody, response: { 201: rs.CannedReply } } },
    async (req, reply) => reply.status(201).send(cannedView(await tools.createCanned(req.auth.workspaceId, req.body))),
  );
  app.patch('/canned-replies/:id', { config: admin, schema: { tags: ['inbox'], params: idParams, body: cannedBody.partial(), response: { 200: rs.CannedReply } } }, async (req) =>
    cannedView(await tools.updateCanned(req.auth.workspaceId, req.params.id, req.body)),
  );
  app.delete('/canned-replies/:id', { config: admin, schema: { tags: ['inbox'], params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    await tools.removeCanned(req.auth.workspaceId, req.params.id);
    return reply.status(204).send();
  });
  app.get(
    '/tickets/:id/canned-replies',
    { config: agent, schema: { tags: ['inbox'], summary: 'Canned replies matching a search, each rendered for the ticket (customer name, order number and link, agent, shop)', params: idParams, querystring: searchQuery, response: { 200: rs.RenderedCannedReplyList } } },
    async (req) => {
      const ws = req.auth.workspaceId;
      const rendered = await tools.renderForTicket(ws, req.params.id, { query: req.query.query ?? null, limit: req.query.limit, agentName: await agentName(ws, req.auth.userId) });
      return { data: rendered.map(renderedCannedView) };
    },
  );

  // ---- labels

  app.get('/labels', { config: agent, schema: { tags: ['inbox'], summary: 'The workspace’s labels', response: { 200: rs.LabelList } } }, async (req) => ({ data: (await deps.uow.repos.labels.list(req.auth.workspaceId)).map(labelView) }));
  app.post('/labels', { config: admin, schema: { tags: ['inbox'], body: labelBody, response: { 201: rs.Label } } }, async (req, reply) => reply.status(201).send(labelView(await tools.createLabel(req.auth.workspaceId, req.body))));
  app.patch('/labels/:id', { config: admin, schema: { tags: ['inbox'], params: idParams, body: labelBody.partial(), response: { 200: rs.Label } } }, async (req) => labelView(await tools.updateLabel(req.auth.workspaceId, req.params.id, req.body)));
  app.delete('/labels/:id', { config: admin, schema: { tags: ['inbox'], summary: 'Removes the label from the workspace and from every ticket and contact', params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    await tools.removeLabel(req.auth.workspaceId, req.params.id);
    return reply.status(204).send();
  });
  for (const [target, path] of [['ticket', 'tickets'], ['contact', 'contacts']] as Array<[LabelTarget, string]>) {
    app.put(`/${path}/:id/labels/:label_id`, { config: agent, schema: { tags: ['inbox'], summary: `Puts a label on the ${target}; answers the ${target}’s labels`, params: targetParams, response: { 200: rs.LabelList } } }, async (req) => ({
      data: (await tools.setLabel(req.auth.workspaceId, target, req.params.id, req.params.label_id, true)).map(labelView),
    }));
    app.delete(`/${path}/:id/labels/:label_id`, { config: agent, schema: { tags: ['inbox'], summary: `Takes a label off the ${target}; answers the ${target}’s labels`, params: targetParams, response: { 200: rs.LabelList } } }, async (req) => ({
      data: (await tools.setLabel(req.auth.workspaceId, target, req.params.id, req.params.label_id, false)).map(labelView),
    }));
  }

  // ---- private notes and mentions

  app.post(
    '/tickets/:id/notes',
    {
      config: agent,
      schema: {
        tags: ['inbox'],
        summary: 'A private note on the ticket, never sent to the customer; "@user@example.com" mentions a user of the workspace, who is notified',
        params: idParams,
        body: z.object({ body: z.string().max(MAX_NOTE_BODY), author: z.string().max(200).nullish().describe('only with an API key; a signed-in user is the author') }),
        response: { 201: rs.NoteResult },
      },
    },
    async (req, reply) => {
      const ws = req.auth.workspaceId;
      const author = req.auth.userId ? await deps.users.displayName(ws, req.auth.userId) : req.body.author?.trim() || null;
      const { message, mentioned } = await tools.addNote(ws, req.params.id, { body: req.body.body, author, authorUserId: req.auth.userId });
      return reply.status(201).send({
        message: { id: message.id, ticket_id: message.ticketId, kind: message.kind, author: message.author, body: message.body, attachments: [], status: message.status, error: null, created_at: iso(message.createdAt) },
        mentioned: mentioned.map((u) => ({ id: u.id, email: u.email, name: u.name })),
      });
    },
  );
  app.get(
    '/mentions',
    { config: agent, schema: { tags: ['inbox'], summary: 'Private notes that mention the signed-in user, newest first, and how many are unread', querystring: z.object({ unread: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }), response: { 200: rs.MentionList } } },
    async (req) => {
      const ws = req.auth.workspaceId;
      const { items, unread } = await tools.mentionsFor(ws, signedInUser(req.auth.userId), { unreadOnly: req.query.unread === 'true', limit: req.query.limit });
      return { data: items.map(mentionView), unread };
    },
  );
  app.get('/mentions/users', { config: agent, schema: { tags: ['inbox'], summary: 'The users of the workspace a note can mention (as "@" and their e-mail address)', response: { 200: rs.MentionableUserList } } }, async (req) => ({
    data: (await deps.uow.repos.users.list(req.auth.workspaceId)).map((u) => ({ id: u.id, email: u.email, name: u.name })),
  }));
  app.post('/mentions/:id/read', { config: agent, schema: { tags: ['inbox'], summary: 'Marks one of the signed-in user’s mentions read', params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    await tools.markMentionRead(req.auth.workspaceId, signedInUser(req.auth.userId), req.params.id);
    return reply.status(204).send();
  });
  app.post('/tickets/:id/mentions/read', { config: agent, schema: { tags: ['inbox'], summary: 'Marks the signed-in user’s mentions on the ticket read (they opened it)', params: idParams, response: { 200: rs.MarkedRead } } }, async (req) => ({
    marked: await tools.markTicketMentionsRead(req.auth.workspaceId, signedInUser(req.auth.userId), req.params.id),
  }));
};
