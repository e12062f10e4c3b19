// The support team: members (roles, capacity, queues, deactivation), invitations and their one-time links,
// each agent's availability, the queues' automatic assignment, who has a ticket open (collision notice), and
// linking a chat ticket to one of its customer's orders.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as ts from '../team-schemas.js';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import { idParams, iso } from '../views.js';
import { AppError, invalidField } from '../../core/errors.js';
import type { Invite } from '../../core/team/repo.js';
import type { TeamMember, Viewer } from '../../core/team/service.js';
import { availabilities } from '../../core/users/repo.js';
import { assignmentModes } from '../../core/tickets/model.js';
import { admin, agent, open } from '../roles.js';

const memberView = (m: TeamMember) => ({
  id: m.id,
  email: m.email,
  name: m.name,
  role: m.role,
  availability: m.availability,
  capacity: m.capacity,
  queue_ids: m.queueIds,
  active: !m.deactivatedAt,
  deactivated_at: m.deactivatedAt ? iso(m.deactivatedAt) : null,
  created_at: iso(m.createdAt),
});

const viewerView = (v: Viewer) => ({ user_id: v.userId, name: v.name, seen_at: iso(v.seenAt) });

const signedInUser = (req: FastifyRequest): string => {
  if (!req.auth.userId) throw invalidField('session', 'this belongs to a signed-in user; an API key has none');
  return req.auth.userId;
};

export const teamRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  const { team } = deps;
  const { repos } = deps.uow;
  const inviteView = (i: Invite) => ({
    id: i.id,
    email: i.email,
    role: i.role,
    queue_ids: i.queueIds,
    state: team.inviteState(i),
    expires_at: iso(i.expiresAt),
    accepted_at: i.acceptedAt ? iso(i.acceptedAt) : null,
    created_at: iso(i.createdAt),
  });

  // ---- members (admins)

  app.get('/team', { config: admin, schema: { tags: ['team'], summary: 'Users of the workspace with role, availability, capacity, queues and whether they are active', response: { 200: ts.TeamMemberList } } }, async (req) => ({
    data: (await team.members(req.auth.workspaceId)).map(memberView),
  }));
  app.patch(
    '/team/:id',
    {
      config: admin,
      schema: {
        tags: ['team'],
        summary: 'Change a user’s name, role, capacity (open tickets under automatic assignment; null is no limit) or queues; the last active admin stays an admin',
        params: idParams,
        body: z.object({ name: z.string().max(200).nullish(), role: z.enum(['admin', 'agent']).optional(), capacity: z.number().int().min(0).max(500).nullable().optional(), queue_ids: z.array(z.string().max(100)).max(200).optional() }),
        response: { 200: ts.TeamMember },
      },
    },
    async (req) => memberView(await team.updateMember(req.auth.workspaceId, req.params.id, { name: req.body.name, role: req.body.role, capacity: req.body.capacity, queueIds: req.body.queue_ids })),
  );
  app.post('/team/:id/deactivate', { config: admin, schema: { tags: ['team'], summary: 'Deactivate a user: their sessions end at once, sign-in is refused, their open tickets go to colleagues or wait unassigned', params: idParams, response: { 200: ts.TeamMember } } }, async (req) =>
    memberView(await team.deactivate(req.auth.workspaceId, req.params.id)),
  );
  app.post('/team/:id/reactivate', { config: admin, schema: { tags: ['team'], summary: 'Let a deactivated user sign in again (they start offline)', params: idParams, response: { 200: ts.TeamMember } } }, async (req) => memberView(await team.reactivate(req.auth.workspaceId, req.params.id)));

  // ---- invitations

  app.get('/invites', { config: admin, schema: { tags: ['team'], summary: 'Invitations, newest first, with their state', response: { 200: ts.InviteList } } }, async (req) => ({ data: (await repos.invites.list(req.auth.workspaceId)).map(inviteView) }));
  app.post(
    '/invites',
    {
      config: admin,
      schema: {
        tags: ['team'],
        summary: 'Invite a user by e-mail: the answer holds a one-time link (valid 7 days) where they choose their name and password',
        body: z.object({ email: z.string().max(320), role: z.enum(['admin', 'agent']), queue_ids: z.array(z.string().max(100)).max(200).default([]) }),
        response: { 201: ts.CreatedInvite },
      },
    },
    async (req, reply) => {
      const { invite, url } = await team.invite(req.auth.workspaceId, req.auth.userId, { email: req.body.email, role: req.body.role, queueIds: req.body.queue_ids });
      return reply.status(201).send({ ...inviteView(invite), url });
    },
  );
  app.delete('/invites/:id', { config: admin, schema: { tags: ['team'], summary: 'Withdraw an invitation that was not used yet', params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    await team.revokeInvite(req.auth.workspaceId, req.params.id);
    return reply.status(204).send();
  });

  // The invited person has no session yet: these two are open, limited per client address, and need the token.
  const perIp = app.createRateLimit({ max: deps.config.http.signIn.perIpPerMinute, timeWindow: 60_000, keyGenerator: (req) => `invite-ip:${req.ip}` });
  const limit = async (req: FastifyRequest, reply: FastifyReply) => {
    const r = await perIp(req);
    if (!r.isAllowed && r.isExceeded) {
      const retry = Math.max(1, r.ttlInSeconds);
      void reply.header('retry-after', String(retry));
      throw new AppError('rate_limited', `too many attempts from this address; try again in ${retry} s`, { retry_after_seconds: retry });
    }
  };
  const token = z.string().min(1).max(200);
  app.post('/invite/check', { config: open, onRequest: limit, schema: { tags: ['team'], summary: 'What an invitation link is for, or why it cannot be used (used, expired, withdrawn)', body: z.object({ token }), response: { 200: ts.InviteCheck } } }, async (req) => {
    const { invite, workspaceName } = await team.openInvite(req.body.token);
    return { email: invite.email, role: invite.role, workspace_name: workspaceName, expires_at: iso(invite.expiresAt) };
  });
  app.post(
    '/invite/accept',
    {
      config: open,
      onRequest: limit,
      schema: { tags: ['team'], summary: 'Accept an invitation: creates the user with this name and password; the link works once', body: z.object({ token, name: z.string().max(200), password: z.string().max(200) }), response: { 201: ts.AcceptedInvite } },
    },
    async (req, reply) => {
      const user = await team.accept(req.body.token, { name: req.body.name, password: req.body.password });
      return reply.status(201).send({ id: user.id, email: user.email, name: user.name, role: user.role });
    },
  );

  // ---- availability (each agent their own) and colleagues

  app.get('/agents', { config: agent, schema: { tags: ['team'], summary: 'Active colleagues with their availability and open tickets', response: { 200: ts.AgentList } } }, async (req) => {
    const ws = req.auth.workspaceId;
    const users = (await repos.users.list(ws)).filter((u) => !u.deactivatedAt);
    const counts = await repos.assignment.openCounts(ws, users.map((u) => u.email));
    return { data: users.map((u) => ({ id: u.id, name: u.name ?? u.email, email: u.email, availability: u.availability, open_tickets: counts.get(u.email) ?? 0 })) };
  });
  app.put(
    '/availability',
    { config: agent, schema: { tags: ['team'], summary: 'Set the signed-in user’s availability: online takes tickets, away keeps theirs, offline hands theirs on', body: z.object({ availability: z.enum(availabilities) }), response: { 200: ts.TeamMember } } },
    async (req) => memberView(await team.setAvailability(req.auth.workspaceId, signedInUser(req), req.body.availability)),
  );

  // ---- queues' automatic assignment

  const queueAssignments = async (ws: string) => {
    const [queues, members] = await Promise.all([repos.queues.list(ws), repos.queueMembers.list(ws)]);
    return queues.map((q) => ({ id: q.id, name: q.name, assignment: q.assignment, member_ids: members.filter((m) => m.queueId === q.id).map((m) => m.userId) }));
  };
  app.get('/queue-assignment', { config: admin, schema: { tags: ['team'], summary: 'Each queue’s automatic assignment mode and members', response: { 200: ts.QueueAssignmentList } } }, async (req) => ({ data: await queueAssignments(req.auth.workspaceId) }));
  app.put(
    '/queues/:id/assignment',
    {
      config: admin,
      schema: {
        tags: ['team'],
        summary: 'Automatic assignment of the queue: off, round_robin or least_open, among members who are online and below their capacity',
        params: idParams,
        body: z.object({ mode: z.enum(assignmentModes) }),
        response: { 200: ts.QueueAssignment },
      },
    },
    async (req) => {
      await team.setQueueAssignment(req.auth.workspaceId, req.params.id, req.body.mode);
      return (await queueAssignments(req.auth.workspaceId)).find((q) => q.id === req.params.id)!;
    },
  );

  // ---- collision notice: who else has the ticket open (also sent on the inbox stream as "ticket.viewers")

  app.post('/tickets/:id/viewing', { config: agent, schema: { tags: ['inbox'], summary: 'The signed-in user has the ticket open (send every 10 s); answers who else has it open', params: idParams, response: { 200: ts.Viewers } } }, async (req) => ({
    ticket_id: req.params.id,
    viewers: (await team.viewing(req.auth.workspaceId, req.params.id, signedInUser(req))).map(viewerView),
  }));
  app.delete('/tickets/:id/viewing', { config: agent, schema: { tags: ['inbox'], summary: 'The signed-in user closed the ticket', params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    await team.leave(req.auth.workspaceId, req.params.id, signedInUser(req));
    return reply.status(204).send();
  });
  app.get('/tickets/:id/viewers', { config: agent, schema: { tags: ['inbox'], summary: 'Who has the ticket open now', params: idParams, response: { 200: ts.Viewers } } }, async (req) => {
    if (!(await repos.tickets.get(req.auth.workspaceId, req.params.id))) throw new AppError('not_found', `ticket ${req.params.id} was not found`, { id: req.params.id });
    return { ticket_id: req.params.id, viewers: ((await team.viewers(req.auth.workspaceId, [req.params.id])).get(req.params.id) ?? []).filter((v) => v.userId !== req.auth.userId).map(viewerView) };
  });

  // ---- the orders a chat ticket can be linked to (PATCH /v1/tickets/:id with order_id links one)

  app.get('/tickets/:id/orders', { config: agent, schema: { tags: ['inbox'], summary: 'The chat customer’s orders the ticket can be linked to, and the linked one', params: idParams, response: { 200: ts.LinkableOrders } } }, async (req) => {
    const { linkedOrderId, orders } = await deps.orderLinks.linkable(req.auth.workspaceId, req.params.id);
    return {
      linked_order_id: linkedOrderId,
      data: orders.map((o) => ({ id: o.id, name: o.name, status: o.status, total: o.totalAmount, currency: o.currency, created_at: iso(o.createdAt), linked: o.id === linkedOrderId })),
    };
  });
};
