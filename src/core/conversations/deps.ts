// What the conversation engine and its flows need from the rest of the hub.
import type { Logger, Providers } from '../providers.js';
import type { Repos, UnitOfWork } from '../repos.js';
import type { Conversation } from './model.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { NotificationPlanner } from '../notifications/planner.js';
import type { ConnectionService } from '../connections/service.js';
import type { LoyaltyService } from './loyalty.js';
import type { OrderHistoryService } from './history.js';

export interface EngineDeps {
  uow: UnitOfWork;
  providers: Providers;
  secrets: SecretBox;
  connections: ConnectionService;
  planner: NotificationPlanner;
  loyalty: LoyaltyService;
  history: OrderHistoryService;
  log: Logger;
  /** Set once the inbox exists; chats handed over become its tickets. */
  inbox: InboxHooks | null;
  /** The clock of conversations (code expiry, send windows, state lifetimes); tests move it. Date.now by default. */
  now?: () => number;
}

/** What the support inbox does when chats are handed over (implemented by the ticket service). */
export interface InboxHooks {
  /** `orderId`: the order the chat is about (a failed delivery); the ticket is named after it. */
  openForChat(tx: Repos, conversation: Conversation, reason: string | null, orderId?: string | null): Promise<void>;
  /** `subject`: the customer's own words, which name the ticket when it has no subject yet. */
  chatMessage(tx: Repos, conversation: Conversation, messageId: string, text: string | null, at: number, subject?: string | null): Promise<void>;
  /** An agent answered the chat (through the conversations API or a ticket): the open ticket's first response. */
  agentAnswered?(workspaceId: string, conversationId: string): Promise<void>;
  /** A tapped CSAT survey button (payload csat:…): records the score; returns what to say back, null if not one. */
  surveyAnswer?(workspaceId: string, conversationId: string, payload: string | null): Promise<string | null>;
}
