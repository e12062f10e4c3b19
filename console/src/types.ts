// Response shapes of the /v1 API, as the console uses them (see /docs/json and src/http/views.ts).

export interface List<T> {
  data: T[];
  next_cursor?: string | null;
}

export interface StoreConnection {
  id: string;
  platform: string;
  name: string;
  external_id: string | null;
  secrets: Record<string, string>;
  status: string;
  webhook_url: string | null;
  poll: { since: string | null; last_polled_at: string | null; failures: number } | null;
  last_error: string | null;
  verified_at: string | null;
  created_at: string;
}

export interface ChannelAccount {
  id: string;
  channel: string;
  provider: string;
  name: string;
  owner: 'merchant' | 'platform';
  display_name: string | null;
  secrets: Record<string, string>;
  status: string;
  /** Set where the provider cannot confirm the sending number by API (Gupshup): a test send is the check. */
  number_check?: { state: string; note: string | null } | null;
  webhook_url: string;
  verified_at: string | null;
  created_at: string;
}

/** Fields that appear only in a creation response: shown once, never again. */
export interface OnceOnly {
  signing_secret?: string;
  webhook_secret?: string;
  callback_url?: string;
  webhook_headers?: Record<string, string>;
  secret?: string;
  key?: string;
}

export interface ChannelSelection {
  channel: string;
  channel_account_id: string | null;
  how: string;
  accounts: Array<{ id: string; name: string; owner: 'merchant' | 'platform'; provider: string; installed_at: string }>;
  install: { method: string; path: string; message: string } | null;
}

export interface NotificationSetting {
  event_type: string;
  channel: string;
  enabled: boolean;
  channel_account_id: string | null;
  template: { name?: string | null; language?: string | null; id?: string | null; body?: string; subject?: string } | null;
  variables: Record<string, string>;
  charges_confirmed_at: string | null;
  charges_confirmed_by: string | null;
  updated_at: string | null;
  preview?: string | null;
  template_status?: string;
}

export interface MatrixCell {
  event_type: string;
  channel: string;
  supported: boolean;
  platforms: string[];
  reason: string | null;
}

export interface NotificationVariable {
  key: string;
  label: string;
  sample?: string;
}

export interface ChatSettings {
  incorrect_reply: { enabled: boolean; text: string };
  escalate_after: number;
}

export interface TestSendResult {
  message_id: string;
  status: string;
  provider_message_id: string | null;
  reason: string | null;
  preview: string | null;
}

/** Money as the store gave it: a decimal string and its ISO currency. */
export interface Money {
  amount: string;
  currency: string;
}

export interface OrderLine {
  sku?: string | null;
  title: string;
  quantity: number;
  price?: string | null;
}

export interface Order {
  id: string;
  name: string;
  customer_name: string | null;
  email: string | null;
  phone: string | null;
  total: string | null;
  currency: string | null;
  status: string | null;
  lines: OrderLine[];
  created_at: string;
}

export interface Activity {
  id: string;
  kind: string;
  summary: string;
  message_id: string | null;
  data: Record<string, unknown> | null;
  created_at: string;
}

export interface Ticket {
  id: string;
  source: string;
  queue_id: string | null;
  category_id: string | null;
  status: string;
  assignee: string | null;
  contact_id: string | null;
  customer_external_id: string | null;
  customer_name: string | null;
  subject: string | null;
  order: { id: string; url: string | null; products: OrderLine[] } | null;
  conversation_url: string | null;
  last_message_at: string | null;
  created_at: string;
}

export interface TicketMessage {
  id: string;
  ticket_id: string;
  kind: string;
  author: string | null;
  body: string;
  attachments: Array<{ name: string; size: number; contentType?: string }>;
  status: string;
  error: string | null;
  created_at: string;
}

export interface Contact {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  fields: Record<string, string>;
}

export interface TicketDetail extends Ticket {
  contact: Contact | null;
  customer_orders: Array<{ name: string; status: string | null; total: Money | null; url: string | null; created_at: string | null }>;
  messages: TicketMessage[];
}

export interface Named {
  id: string;
  name: string;
}

export interface Customer {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  identities: Array<{ id: string; kind: string; value: string; channel_account_id: string | null; store_connection_id: string | null; created_at: string }>;
  created_at: string;
}

export interface Loyalty {
  member: boolean;
  email: string | null;
  balance: number | null;
  ledger: Array<{ id: string; delta: number; balance_after: number; reason: string; reference: string | null; created_at: string }>;
}

export interface OrderHistory {
  store_connection_id: string;
  platform: string;
  window_days: number;
  store_url: string | null;
  orders: Array<{ external_id: string; name: string; total: Money | null; financial_status: string | null; fulfillment_status: string | null; status_url: string | null; created_at: string | null }>;
}

export interface UsageRow {
  month: string;
  channel: string;
  channel_account_id: string;
  provider: string;
  owner: string;
  category: string;
  messages: number;
}

export interface Usage {
  from: string;
  to: string;
  data: UsageRow[];
  totals: { messages: number; by_owner: Record<string, number>; by_channel: Record<string, number> };
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface WebhookSubscription {
  id: string;
  url: string;
  events: string[];
  created_at: string;
}

export interface WebhookDelivery {
  id: string;
  event: string;
  status: string;
  attempts: number;
  response_status: number | null;
  response_body: string | null;
  error: string | null;
  created_at: string;
  delivered_at: string | null;
  next_attempt_at: string | null;
}

export interface PhoneChannel {
  channel: string;
  account_id: string;
  label: string;
}

export interface PhoneMessage {
  direction: 'in' | 'out';
  text: string;
  buttons?: Array<{ id: string; title: string }>;
  at: string;
}

export const CHANNELS = ['whatsapp', 'messenger', 'line', 'sms', 'email'] as const;

export const CHANNEL_LABELS: Record<string, string> = { whatsapp: 'WhatsApp', messenger: 'Messenger', line: 'LINE', sms: 'SMS', email: 'E-mail' };

export const channelLabel = (c: string): string => CHANNEL_LABELS[c] ?? c;
