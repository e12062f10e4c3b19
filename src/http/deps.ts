// What the HTTP layer needs from the rest of the hub.
import type { Config } from '../config/index.js';
import type { UnitOfWork } from '../core/repos.js';
import type { WorkspaceService } from '../core/workspaces/service.js';
import type { ConnectionService } from '../core/connections/service.js';
import type { NotificationSettingsService } from '../core/notifications/settings.js';
import type { WebhookIngress } from '../core/notifications/ingress.js';
import type { NotificationPlanner } from '../core/notifications/planner.js';
import type { PushService } from '../core/push/service.js';
import type { OutboundWebhooks } from '../core/webhooks/outbound.js';
import type { OptOutService } from '../core/notifications/opt-outs.js';
import type { CustomerService } from '../core/customers/service.js';
import type { ChatService } from '../core/conversations/chat-service.js';
import type { OrderHistoryService } from '../core/conversations/history.js';
import type { LoyaltyService } from '../core/conversations/loyalty.js';
import type { TicketService } from '../core/tickets/service.js';
import type { InboxToolsService } from '../core/inbox-tools/service.js';
import type { InboxSlaService } from '../core/inbox-sla/service.js';
import type { UserService } from '../core/users/service.js';
import type { TeamService } from '../core/team/service.js';
import type { TicketOrderLinks } from '../core/tickets/order-link.js';
import type { SandboxPhone } from '../core/sandbox-phone.js';
import type { JobQueue } from '../core/jobs.js';
import type { Metrics } from './metrics.js';
import type { VersionInfo } from './response-schemas.js';

export interface HttpDeps {
  config: Config;
  uow: UnitOfWork;
  workspaces: WorkspaceService;
  connections: ConnectionService;
  customers: CustomerService;
  settings: NotificationSettingsService;
  ingress: WebhookIngress;
  planner: NotificationPlanner;
  push: PushService;
  outbound: OutboundWebhooks;
  optOuts: OptOutService;
  chat: ChatService;
  history: OrderHistoryService;
  loyalty: LoyaltyService;
  tickets: TicketService;
  /** Canned replies, labels, private notes with @mentions. */
  inboxTools: InboxToolsService;
  /** Business hours, SLA policies and CSAT of the inbox. */
  sla: InboxSlaService;
  users: UserService;
  /** Invitations, roles, queue membership, availability, automatic assignment, collision notice. */
  team: TeamService;
  /** Chat tickets linked to their customer's orders. */
  orderLinks: TicketOrderLinks;
  /** The sandbox phone and demo order, when the hub runs with its simulators. */
  sandbox: SandboxPhone | null;
  queue: JobQueue;
  metrics: Metrics;
  /** Readiness: resolves when the database (and Redis, when used) answer. */
  ready: () => Promise<void>;
  /** GET /v1/version: the package, Node.js, database, queue and migrations. */
  version: () => Promise<VersionInfo>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: an API key (full rights) or a console user's session (admin or agent). apiKeyId names the actor either way. */
    auth: { workspaceId: string; apiKeyId: string; role: 'admin' | 'agent'; userId: string | null; sessionId: string | null };
  }
}
