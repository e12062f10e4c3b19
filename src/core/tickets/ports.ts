// The marketplace-messaging port: what the support inbox needs from a marketplace's seller API (EmpikPlace is a
// Mirakl instance: threads M11/M10, reply M12, orders OR11, account A01). One adapter per marketplace API.
import type { StoreConnectionCredentials } from '../stores/ports.js';

export type MarketplaceAuthor = 'customer' | 'shop' | 'operator';

export interface MarketplaceAttachment {
  id: string;
  name: string;
  size: number;
}

export interface MarketplaceMessage {
  id: string;
  body: string;
  createdAt: number;
  /** Who wrote it: the buyer, the shop's staff (in the marketplace panel, or through the API), the marketplace's own staff. */
  author: MarketplaceAuthor;
  authorName: string | null;
  attachments: MarketplaceAttachment[];
}

export interface MarketplaceThread {
  id: string;
  createdAt: number;
  updatedAt: number;
  topic: string | null;
  /** The buyer taking part, when there is one. */
  customer: { id: string; name: string | null } | null;
  /** The order the thread is about (an MMP_ORDER entity), when there is one. */
  orderId: string | null;
  /** Messages oldest first (the API returns at most the last 100). */
  messages: MarketplaceMessage[];
}

export interface MarketplaceOrder {
  id: string;
  commercialId: string | null;
  state: string | null;
  createdAt: number | null;
  total: { amount: string; currency: string } | null;
  customer: { id: string; name: string | null } | null;
  lines: Array<{ sku: string | null; title: string; quantity: number; price: string | null }>;
}

export interface OutgoingAttachment {
  name: string;
  contentType: string;
  data: Buffer;
}

export interface MarketplaceAdapter {
  readonly platform: string;
  /** Checks the API key; ProviderError permanent when refused. Returns the shop's name and id. */
  verifyAccount(connection: StoreConnectionCredentials): Promise<{ shopId: string; shopName: string }>;
  /** Threads updated since a time, one page; the token continues the same listing. */
  listThreads(connection: StoreConnectionCredentials, query: { updatedSince: number; pageToken: string | null; limit: number }): Promise<{ threads: MarketplaceThread[]; nextPageToken: string | null }>;
  /** A reply into a thread, to the customer (and the operator when `toOperator`). */
  reply(connection: StoreConnectionCredentials, input: { threadId: string; body: string; customerId: string | null; toOperator: boolean; attachments: OutgoingAttachment[] }): Promise<{ messageId: string }>;
  orders(connection: StoreConnectionCredentials, orderIds: string[]): Promise<MarketplaceOrder[]>;
  /** Links into the marketplace's seller back office, for agents. */
  orderUrl(connection: StoreConnectionCredentials, orderId: string): string;
  threadUrl(connection: StoreConnectionCredentials, threadId: string): string;
}
