// The support inbox: tickets from marketplace threads and handed-over chats, CRM contacts with custom fields,
// queues (with auto-replies) and categories.

export interface CustomField {
  id: string;
  name: string;
  type: 'text';
  createdAt: number;
}

export interface Contact {
  id: string;
  workspaceId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  /** Custom field id → value. */
  fields: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export interface Queue {
  id: string;
  name: string;
  /** Sent once to the customer of each new ticket in the queue (plain text). */
  autoReply: string | null;
  /** Appended to agent replies of the queue's tickets (plain text, as EmpikPlace requires). */
  signature: string | null;
  createdAt: number;
  /** Automatic assignment of the queue's waiting tickets among its online members. */
  assignment: AssignmentMode;
  /** The member who got the queue's last ticket automatically (where round-robin goes on from). */
  lastAssignedUserId: string | null;
}

export type AssignmentMode = 'off' | 'round_robin' | 'least_open';
export const assignmentModes: AssignmentMode[] = ['off', 'round_robin', 'least_open'];

export interface Category {
  id: string;
  name: string;
  createdAt: number;
}

export type TicketStatus = 'open' | 'pending' | 'closed';
export const ticketStatuses: TicketStatus[] = ['open', 'pending', 'closed'];

export interface TicketContext {
  orderId: string | null;
  orderUrl: string | null;
  conversationUrl: string | null;
  products: Array<{ sku: string | null; title: string; quantity: number; price: string | null }>;
  /** For chats: the conversation and the linked store customer. */
  conversationId?: string | null;
  customerId?: string | null;
  channel?: string | null;
  /** Why the chat was handed to an agent ("the customer asked for an agent"). */
  handoverReason?: string | null;
  /** The hub order an agent linked the chat to (src/core/tickets/order-link.ts). */
  linkedOrderId?: string | null;
}

export interface Ticket {
  id: string;
  workspaceId: string;
  /** "EmpikPlace", "WhatsApp", "LINE", "Messenger"... */
  source: string;
  /** The store connection (marketplace) or conversation the ticket comes from. */
  sourceRef: string;
  /** The thread id (marketplace) or hand-over key (chat). */
  externalId: string;
  queueId: string | null;
  categoryId: string | null;
  status: TicketStatus;
  assignee: string | null;
  contactId: string | null;
  /** The marketplace's customer id, shown when the buyer is not in the CRM. */
  customerExternalId: string | null;
  customerName: string | null;
  subject: string | null;
  context: TicketContext;
  autoRepliedAt: number | null;
  lastMessageAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * customer: the buyer; shop_panel: the shop's staff writing in the marketplace's own panel; operator: the
 * marketplace's staff; agent: a reply from the inbox; auto_reply: the queue's automatic answer; internal: a
 * comment never sent.
 */
export type TicketMessageKind = 'customer' | 'shop_panel' | 'operator' | 'agent' | 'auto_reply' | 'internal';

export interface TicketMessage {
  id: string;
  ticketId: string;
  externalId: string | null;
  kind: TicketMessageKind;
  author: string | null;
  body: string;
  attachments: Array<{ name: string; size: number; contentType?: string }>;
  attachmentBytes: number;
  /** For outgoing messages: queued, sent or failed; received messages are 'received', comments 'internal'. */
  status: 'received' | 'queued' | 'sent' | 'failed' | 'internal';
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Seed 003: the attachments of one conversation may total at most 10 MB. */
export const MAX_CONVERSATION_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** What the inbox list shows of a ticket's messages. */
export interface TicketSummary {
  last: TicketMessage | null;
  firstCustomer: TicketMessage | null;
  lastCustomerAt: number | null;
}
