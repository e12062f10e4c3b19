// The store-platform port: what the hub needs from a store or marketplace. One adapter per platform.
import type { RawWebhook } from '../channels/ports.js';
import type { NormalizedEvent, OrderSnapshot } from '../events/model.js';

export type StorePlatform = 'shopify' | 'shopline' | 'cyberbiz' | '91app' | 'eshopbox' | 'empikplace' | 'generic';

export interface StoreConnectionCredentials {
  settings: Record<string, string>;
  secrets: Record<string, string>;
}

export interface ParsedStoreWebhook {
  /** The platform's delivery id (same across the platform's retries), used to drop duplicates. */
  deliveryId: string;
  topic: string;
  /** Events the delivery maps to; empty for topics the hub does not act on. */
  events: NormalizedEvent[];
}

export interface VerifiedStore {
  /** The store's name as the platform reports it. */
  displayName: string;
  details: Record<string, unknown>;
}

/** One page of a poll over the platform's order list; the cursor resumes the same window where it stopped. */
export interface OrderPollPage {
  events: NormalizedEvent[];
  /** Where the next page starts; null when the window is exhausted. */
  cursor: string | null;
}

export interface OrderPollWindow {
  /** Epoch milliseconds; orders updated in [since, until) are returned. */
  since: number;
  until: number;
  /** The cursor a previous page returned for this window, or null to start it. */
  cursor: string | null;
}

/** What a customer chose for a failed delivery (seed 002: re-attempt, reschedule, update address or phone, cancel). */
export type FailedDeliveryAction =
  | { kind: 'reattempt' }
  | { kind: 'reschedule'; date: string /* yyyy-mm-dd */ }
  | { kind: 'update_address'; address: string; landmark?: string | null }
  | { kind: 'update_phone'; phone: string }
  | { kind: 'cancel' };

export interface FailedDeliveryRequest {
  /** The order number the platform knows (customerOrderNumber on Eshopbox). */
  orderName: string;
  trackingId: string | null;
  /** The phone on the order (Eshopbox requires it to match). */
  phone: string | null;
  customerName: string | null;
  action: FailedDeliveryAction;
  remarks: string | null;
}

export interface FailedDeliveryResult {
  /** The platform's reference for the resolution, where it returns one. */
  reference: string | null;
}

/** A customer as the store platform knows it. */
export interface StoreCustomer {
  externalId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
}

export interface StoreAdapter {
  readonly platform: StorePlatform;
  /**
   * Calls the platform's API with the credentials; throws ProviderError (permanent) when they are refused.
   * Absent for platforms whose connection has no API credentials (signed webhooks only).
   */
  verifyConnection?(connection: StoreConnectionCredentials): Promise<VerifiedStore>;
  /** Verifies the webhook's signature over the raw bytes, in constant time. */
  verifyWebhook(connection: StoreConnectionCredentials, webhook: RawWebhook): boolean;
  /** The delivery id the platform puts on a webhook, read before the body is parsed. */
  deliveryId(webhook: RawWebhook): string | null;
  parseWebhook(webhook: RawWebhook): ParsedStoreWebhook;
  /**
   * For sources whose senders can fix their request (the generic source): the problem with a signed delivery's
   * body, checked before it is accepted so the sender gets a 400 instead of a silently failed event; null if fine.
   */
  checkWebhook?(webhook: RawWebhook): string | null;
  /**
   * For platforms without order webhooks (91APP): one page of orders changed in the window, as events whose
   * idempotency keys are stable across polls (the same order in the same state gives the same key).
   */
  pollOrders?(connection: StoreConnectionCredentials, window: OrderPollWindow): Promise<OrderPollPage>;
  /** The largest window pollOrders accepts, in milliseconds (91APP: 7 days). */
  readonly maxPollWindowMs?: number;
  /**
   * Order history: the customer's orders placed in [since, now), newest first, at most `limit`. Platforms with an
   * order API implement it (CYBERBIZ, SHOPLINE: 90-day window; 91APP: 14 days); the hub falls back to the
   * orders it received.
   */
  customerOrders?(connection: StoreConnectionCredentials, query: { customer: StoreCustomer; since: number; limit: number }): Promise<OrderSnapshot[]>;
  /** Finds the store's customer by e-mail or phone (E.164), for account linking; null when unknown. */
  findCustomer?(connection: StoreConnectionCredentials, query: { email?: string | null; phone?: string | null }): Promise<StoreCustomer | null>;
  /** Creates a customer in the store (account linking for someone the store does not know). */
  createCustomer?(connection: StoreConnectionCredentials, input: { name: string | null; email: string | null; phone: string | null }): Promise<StoreCustomer>;
  /** One order by the number the buyer sees ("#1001", "1004"), for loyalty claims; null when there is none. */
  findOrderByNumber?(connection: StoreConnectionCredentials, orderNumber: string): Promise<OrderSnapshot | null>;
  /** Issues a single-use coupon code through the store's API (loyalty prizes), where the platform has one. */
  issueCoupon?(connection: StoreConnectionCredentials, input: { customer: StoreCustomer; title: string; code: string; value: string }): Promise<{ code: string }>;
  /** Performs a failed-delivery action through the platform's API; ProviderError when refused. */
  resolveFailedDelivery?(connection: StoreConnectionCredentials, request: FailedDeliveryRequest): Promise<FailedDeliveryResult>;
}
