// The store-platform port: what the hub needs from a store or marketplace. One adapter per platform.
import type { RawWebhook } from '../channels/ports.js';
import type { NormalizedEvent } from '../events/model.js';

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
}
