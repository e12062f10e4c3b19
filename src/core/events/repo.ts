// The persistence port of commerce events: inbound webhook deliveries, the events and orders they carry, and
// the activity timeline of orders and messages.
import type { EventType, NormalizedEvent, OrderSnapshot } from './model.js';
import type { Page } from '../page.js';

export interface InboundWebhook {
  id: string;
  workspaceId: string;
  source: string;
  targetId: string;
  dedupeKey: string;
  topic: string | null;
  headers: Record<string, string>;
  body: string;
  status: 'received' | 'processed' | 'failed';
  error: string | null;
  receivedAt: number;
  processedAt: number | null;
}

export interface Order {
  id: string;
  workspaceId: string;
  storeConnectionId: string;
  externalId: string;
  name: string;
  customerName: string | null;
  email: string | null;
  phone: string | null;
  totalAmount: string | null;
  currency: string | null;
  status: string | null;
  snapshot: OrderSnapshot;
  createdAt: number;
  updatedAt: number;
}

export interface StoredEvent {
  id: string;
  workspaceId: string;
  type: EventType;
  idempotencyKey: string;
  source: string;
  storeConnectionId: string | null;
  orderId: string | null;
  occurredAt: number;
  payload: NormalizedEvent;
  createdAt: number;
}

export interface Activity {
  id: string;
  workspaceId: string;
  orderId: string | null;
  messageId: string | null;
  kind: string;
  summary: string;
  data: Record<string, unknown>;
  createdAt: number;
}

export interface InboundWebhooksRepo {
  /** Stores a delivery unless one with the same target and dedupe key exists. Null when it was a duplicate. */
  insertIfNew(workspaceId: string, input: Pick<InboundWebhook, 'source' | 'targetId' | 'dedupeKey' | 'topic' | 'headers' | 'body'>): Promise<InboundWebhook | null>;
  get(workspaceId: string, id: string): Promise<InboundWebhook | null>;
  finish(workspaceId: string, id: string, status: 'processed' | 'failed', error: string | null): Promise<void>;
}

export interface OrdersRepo {
  upsert(workspaceId: string, storeConnectionId: string, snapshot: OrderSnapshot): Promise<Order>;
  get(workspaceId: string, id: string): Promise<Order | null>;
  findByExternalId(workspaceId: string, storeConnectionId: string, externalId: string): Promise<Order | null>;
  list(workspaceId: string, opts: { limit: number; cursor: string | null; query?: string | null }): Promise<Page<Order>>;
  /** A customer's orders from one store received since a time (by the order's e-mail or phone), newest first. */
  listForCustomer(workspaceId: string, storeConnectionId: string, who: { emails: string[]; phones: string[] }, since: number, limit: number): Promise<Order[]>;
}

export interface EventsRepo {
  /** Null when an event with the same idempotency key exists in the workspace. */
  insertIfNew(workspaceId: string, input: Pick<StoredEvent, 'type' | 'idempotencyKey' | 'source' | 'storeConnectionId' | 'orderId' | 'occurredAt' | 'payload'>): Promise<StoredEvent | null>;
  get(workspaceId: string, id: string): Promise<StoredEvent | null>;
}

export interface ActivitiesRepo {
  add(workspaceId: string, input: Omit<Activity, 'id' | 'workspaceId' | 'createdAt'> & { createdAt?: number }): Promise<Activity>;
  listForOrder(workspaceId: string, orderId: string): Promise<Activity[]>;
}

/** The repositories of this module, as the unit of work hands them out. */
export interface EventRepos {
  webhooks: InboundWebhooksRepo;
  orders: OrdersRepo;
  events: EventsRepo;
  activities: ActivitiesRepo;
}
