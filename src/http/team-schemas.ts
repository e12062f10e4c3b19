// Response shapes of the team, assignment, collision-notice and order-link endpoints (named in the same
// registry as src/http/response-schemas.ts, so the console's types come from the OpenAPI document).
import { z } from 'zod';
import { apiSchemas } from './response-schemas.js';

const named = <T extends z.ZodType>(id: string, schema: T, description?: string): T => {
  apiSchemas.add(schema as z.ZodType, { id, ...(description ? { description } : {}) });
  return schema;
};

const isoTime = z.string().describe('ISO 8601 time');
const availability = z.enum(['online', 'away', 'offline']);
const role = z.enum(['admin', 'agent']);
const assignment = z.enum(['off', 'round_robin', 'least_open']);

export const TeamMember = named(
  'TeamMember',
  z.object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role,
    availability,
    capacity: z.number().int().nullable().describe('open tickets automatic assignment gives them at most; null is no limit'),
    queue_ids: z.array(z.string()),
    active: z.boolean(),
    deactivated_at: isoTime.nullable(),
    created_at: isoTime,
  }),
);
export const TeamMemberList = z.object({ data: z.array(TeamMember) });

export const Agent = named('Agent', z.object({ id: z.string(), name: z.string(), email: z.string(), availability, open_tickets: z.number().int() }), 'A colleague as the inbox shows them');
export const AgentList = z.object({ data: z.array(Agent) });

export const Invite = named(
  'Invite',
  z.object({
    id: z.string(),
    email: z.string(),
    role,
    queue_ids: z.array(z.string()),
    state: z.enum(['pending', 'accepted', 'expired', 'revoked']),
    expires_at: isoTime,
    accepted_at: isoTime.nullable(),
    created_at: isoTime,
  }),
);
export const InviteList = z.object({ data: z.array(Invite) });
export const CreatedInvite = named('CreatedInvite', Invite.extend({ url: z.string().describe('the one-time invitation link, shown in this response only') }));
export const InviteCheck = named('InviteCheck', z.object({ email: z.string(), role, workspace_name: z.string(), expires_at: isoTime }));
export const AcceptedInvite = named('AcceptedInvite', z.object({ id: z.string(), email: z.string(), name: z.string().nullable(), role }));

export const QueueAssignment = named('QueueAssignment', z.object({ id: z.string(), name: z.string(), assignment, member_ids: z.array(z.string()) }));
export const QueueAssignmentList = z.object({ data: z.array(QueueAssignment) });

export const Viewer = named('TicketViewer', z.object({ user_id: z.string(), name: z.string(), seen_at: isoTime }));
export const Viewers = named('TicketViewers', z.object({ ticket_id: z.string(), viewers: z.array(Viewer) }), 'Who else has the ticket open now');

export const LinkableOrder = named('LinkableOrder', z.object({ id: z.string(), name: z.string(), status: z.string().nullable(), total: z.string().nullable(), currency: z.string().nullable(), created_at: isoTime, linked: z.boolean() }));
export const LinkableOrders = z.object({ linked_order_id: z.string().nullable(), data: z.array(LinkableOrder) });
