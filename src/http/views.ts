// API shapes (snake_case) of domain objects. Secrets appear only masked.
import { z } from 'zod';
import type { Activity, ApiKeyRecord, ChannelAccount, Message, Order, StoreConnection, Customer, OptOut } from '../core/repos.js';
import type { ProviderTemplate } from '../core/channels/ports.js';
import type { SettingView } from '../core/notifications/settings.js';
import { providerCatalogue } from '../adapters/registry.js';

/** A time in milliseconds as ISO 8601 text; null stays null. */
export function iso(ms: number): string;
export function iso(ms: number | null | undefined): string | null;
export function iso(ms: number | null | undefined): string | null {
  return ms == null ? null : new Date(ms).toISOString();
}

export const apiKeyView = (k: ApiKeyRecord) => ({
  id: k.id,
  name: k.name,
  // Keys made before masks kept only the last 4 characters stored 6 leading ones: those are not shown.
  hint: k.prefix.includes('•') ? k.prefix : `${k.prefix.slice(0, 4)}••••`,
  created_at: iso(k.createdAt),
  last_used_at: iso(k.lastUsedAt),
  revoked_at: iso(k.revokedAt),
});

export const storeConnectionView = (c: StoreConnection, maskedSecrets: Record<string, string>, publicUrl: string) => ({
  id: c.id,
  platform: c.platform,
  name: c.name,
  external_id: c.externalId,
  settings: c.settings,
  secrets: maskedSecrets,
  status: c.status,
  // Polled platforms (91APP, EmpikPlace) have no webhook; they show where the poll stands instead.
  webhook_url: c.pollState || !storeWebhookSegment(c.platform) ? null : `${publicUrl}/webhooks/${storeWebhookSegment(c.platform)}/${c.id}`,
  poll: c.pollState ? { since: iso(c.pollState.since), last_polled_at: iso(c.pollState.lastPolledAt), failures: c.pollState.failures } : null,
  last_error: c.lastError,
  verified_at: iso(c.verifiedAt),
  created_at: iso(c.createdAt),
});

/** The webhook path segment of a store platform's URLs; null for platforms without webhooks. */
const storeWebhookSegment = (platform: string): string | null => {
  const definition = providerCatalogue.get(platform);
  return definition ? (definition.webhooks?.published ?? null) : platform;
};

/** The webhook path segment of a channel provider's URLs (its definition's published one). */
const channelWebhookSegment = (provider: string): string => providerCatalogue.get(provider)?.webhooks?.published ?? provider;

/**
 * Whether the provider confirmed that the account sends from its number. Null where verifying the account already
 * proves it; for Gupshup, which has no such API, the first accepted send (a test send) is the proof.
 */
const numberCheckView = (a: ChannelAccount): { state: string; note: string | null } | null => {
  const state = a.settings['numberCheck'];
  if (!state) return null;
  if (state === 'verified') return { state, note: null };
  const failure = a.settings['numberCheckFailure'];
  return { state, note: failure ? `number not verified — the last test message failed: ${failure}` : 'number not verified — send a test message' };
};
/** Providers whose accounts can share one app and its callback URL (Meta's WhatsApp Cloud API and Messenger). */
export const metaProviders: ReadonlySet<string> = new Set(providerCatalogue.all.filter((d) => d.webhooks?.metaApp).map((d) => d.id));

export const channelAccountView = (a: ChannelAccount, maskedSecrets: Record<string, string>, publicUrl: string) => ({
  id: a.id,
  channel: a.channel,
  provider: a.provider,
  name: a.name,
  owner: a.owner,
  external_id: a.externalId,
  display_name: a.displayName,
  settings: a.settings,
  secrets: maskedSecrets,
  status: a.status,
  number_check: numberCheckView(a),
  rate_limit_per_second: a.rateLimitPerSecond,
  // Meta sends every number and page of an app to the app's one callback URL: the workspace's Meta URL serves
  // them all (routed by phone_number_id / page id); the per-account URL keeps working.
  webhook_url: metaProviders.has(a.provider) ? `${publicUrl}/webhooks/meta/${a.workspaceId}` : `${publicUrl}/webhooks/${channelWebhookSegment(a.provider)}/${a.id}`,
  account_webhook_url: `${publicUrl}/webhooks/${channelWebhookSegment(a.provider)}/${a.id}`,
  verified_at: iso(a.verifiedAt),
  created_at: iso(a.createdAt),
});

export const templateView = (t: ProviderTemplate) => ({
  id: t.id,
  name: t.name,
  language: t.language,
  status: t.status,
  category: t.category,
  body: t.bodyText,
  placeholders: t.placeholders,
  parameter_format: t.parameterFormat,
});

export const settingView = (s: SettingView) => ({
  event_type: s.eventType,
  channel: s.channel,
  enabled: s.enabled,
  channel_account_id: s.channelAccountId,
  template: s.template ? { ...s.template, ...(s.customTemplate ? { body: s.customTemplate.body, subject: s.customTemplate.subject } : {}) } : null,
  variables: Object.fromEntries(s.binding.parameters.map((p) => [p.placeholder, p.variable])),
  charges_confirmed_at: iso(s.chargesConfirmedAt),
  charges_confirmed_by: s.chargesConfirmedBy,
  updated_at: iso(s.updatedAt),
});

export const orderView = (o: Order) => ({
  id: o.id,
  store_connection_id: o.storeConnectionId,
  external_id: o.externalId,
  name: o.name,
  customer_name: o.customerName,
  email: o.email,
  phone: o.phone,
  total: o.totalAmount,
  currency: o.currency,
  status: o.status,
  lines: o.snapshot.lines,
  created_at: iso(o.createdAt),
  updated_at: iso(o.updatedAt),
});

export const messageView = (m: Message) => ({
  id: m.id,
  direction: m.direction,
  channel: m.channel,
  channel_account_id: m.channelAccountId,
  event_id: m.eventId,
  order_id: m.orderId,
  recipient: m.recipient,
  template_name: m.templateName,
  category: m.category,
  content: m.content,
  status: m.status,
  reason: m.reason,
  error_code: m.errorCode,
  provider_message_id: m.providerMessageId,
  attempts: m.attempts,
  created_at: iso(m.createdAt),
  sent_at: iso(m.sentAt),
  delivered_at: iso(m.deliveredAt),
  read_at: iso(m.readAt),
  failed_at: iso(m.failedAt),
});

export const activityView = (a: Activity) => ({
  id: a.id,
  kind: a.kind,
  summary: a.summary,
  message_id: a.messageId,
  data: a.data,
  created_at: iso(a.createdAt),
});

// Shared request/response pieces for the OpenAPI document.
export const idParams = z.object({ id: z.string().min(1).max(100) });
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), type: z.string(), request_id: z.string(), details: z.unknown() }),
});

export const customerView = (c: Customer) => ({
  id: c.id,
  name: c.name,
  email: c.email,
  phone: c.phone,
  identities: c.identities.map((i) => ({
    id: i.id,
    kind: i.kind,
    value: i.value,
    channel_account_id: i.kind === 'messenger' || i.kind === 'line' || i.kind === 'whatsapp' || i.kind === 'sms' ? i.scope || null : null,
    store_connection_id: i.kind === 'store' ? i.scope : null,
    display_name: i.displayName ?? null,
    created_at: iso(i.createdAt),
    last_active_at: i.lastActiveAt == null ? null : iso(i.lastActiveAt),
  })),
  created_at: iso(c.createdAt),
  updated_at: iso(c.updatedAt),
});

export const optOutView = (o: OptOut) => ({ channel: o.channel, address: o.address, source: o.source, created_at: iso(o.createdAt) });
