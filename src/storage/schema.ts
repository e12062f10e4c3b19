// Table types for Kysely. Conventions that keep one schema working on SQLite and PostgreSQL:
// ids are text, times are epoch milliseconds in bigint columns, JSON is text, booleans are 0/1 integers.
import type { Generated } from 'kysely';

export interface WorkspacesTable {
  id: string;
  name: string;
  /** What customers see as the shop's name; null until the merchant sets it. */
  brand_name: string | null;
  /** ISO 4217 code the shop sells in; null until set. */
  currency: string | null;
  /** The language of the shop's customer texts (en, zh-Hant, pl); null until set. */
  language: string | null;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string;
  name: string;
  /** The visible start of the key ("stk_ab12cd"), for humans to tell keys apart. */
  prefix: string;
  /** SHA-256 of the whole key, hex. The key itself is never stored. */
  hash: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface StoreConnectionsTable {
  id: string;
  workspace_id: string;
  platform: string;
  name: string;
  /** The platform's identifier of the store (shop domain, shop id). */
  external_id: string;
  settings: string;
  secrets: string;
  status: string;
  verified_at: number | null;
  created_at: number;
  updated_at: number;
  /** JSON PollState for polled platforms. */
  poll_state: string | null;
  last_error: string | null;
}

export interface ChannelAccountsTable {
  id: string;
  workspace_id: string;
  channel: string;
  provider: string;
  name: string;
  /** The provider's identifier of the sending identity (phone number id, page id...). */
  external_id: string;
  /** 'merchant' or 'platform' (the operator's shared account). */
  owner: string;
  settings: string;
  secrets: string;
  status: string;
  display_name: string | null;
  /** Sends per second this account may make (the provider's throughput limit). */
  rate_limit_per_second: number;
  verified_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface InboundWebhooksTable {
  id: string;
  workspace_id: string;
  source: string;
  /** The store connection or channel account the webhook was addressed to. */
  target_id: string;
  dedupe_key: string;
  topic: string | null;
  headers: string;
  body: string;
  status: string;
  error: string | null;
  received_at: number;
  processed_at: number | null;
}

export interface EventsTable {
  id: string;
  workspace_id: string;
  type: string;
  idempotency_key: string;
  source: string;
  store_connection_id: string | null;
  order_id: string | null;
  occurred_at: number;
  payload: string;
  created_at: number;
}

export interface OrdersTable {
  id: string;
  workspace_id: string;
  store_connection_id: string;
  external_id: string;
  name: string;
  customer_name: string | null;
  email: string | null;
  phone: string | null;
  total_amount: string | null;
  currency: string | null;
  status: string | null;
  snapshot: string;
  created_at: number;
  updated_at: number;
}

export interface NotificationSettingsTable {
  id: string;
  workspace_id: string;
  event_type: string;
  channel: string;
  enabled: number;
  channel_account_id: string | null;
  template_name: string | null;
  template_language: string | null;
  template_id: string | null;
  /** JSON object: template placeholder name → variable key of the catalogue. */
  variable_map: string;
  updated_at: number;
  charges_confirmed_at: number | null;
  charges_confirmed_by: string | null;
  /** JSON {subject?, body}: the merchant's own Liquid text for channels without provider templates. */
  custom_template: string | null;
}

export interface ChannelSelectionsTable {
  workspace_id: string;
  channel: string;
  channel_account_id: string;
  selected_at: number;
}

export interface MessagesTable {
  id: string;
  workspace_id: string;
  direction: string;
  channel: string;
  channel_account_id: string | null;
  event_id: string | null;
  order_id: string | null;
  idempotency_key: string;
  recipient: string | null;
  template_name: string | null;
  content: string;
  status: string;
  reason: string | null;
  error_code: string | null;
  provider_message_id: string | null;
  attempts: number;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  delivered_at: number | null;
  read_at: number | null;
  failed_at: number | null;
  category: string | null;
  conversation_id: string | null;
  /** When the send was handed to the provider (status `sending`). */
  send_started_at: number | null;
  /** 1 while the outcome is recorded but its activity, usage and outbound webhooks are not yet. */
  bookkeeping_due: number;
}

export interface UsageRecordsTable {
  id: string;
  workspace_id: string;
  message_id: string;
  channel: string;
  channel_account_id: string;
  provider: string;
  owner: string;
  category: string;
  /** YYYY-MM in UTC. */
  month: string;
  created_at: number;
}

export interface ActivitiesTable {
  id: string;
  workspace_id: string;
  order_id: string | null;
  message_id: string | null;
  kind: string;
  summary: string;
  data: string;
  created_at: number;
}

export interface JobsTable {
  id: string;
  type: string;
  workspace_id: string | null;
  payload: string;
  /** pending (SQL driver), outbox (waiting for the relay to BullMQ), running, dead. */
  status: string;
  run_at: number;
  attempts: number;
  max_attempts: number;
  rate_key: string | null;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  /** W3C traceparent of the span that enqueued the job; null when tracing is off. */
  trace_parent: string | null;
  created_at: number;
  updated_at: number;
}

export interface CustomersTable {
  id: string;
  workspace_id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  created_at: number;
  updated_at: number;
}

export interface CustomerIdentitiesTable {
  id: string;
  workspace_id: string;
  customer_id: string;
  kind: string;
  scope: string;
  value: string;
  created_at: number;
  last_active_at: number | null;
  /** The name the channel reports for a chat user (LINE profile), when known. */
  display_name?: string | null;
  /** When the channel's profile was last asked for (cached for a day). */
  profile_checked_at?: number | null;
}

export interface ConversationsTable {
  id: string;
  workspace_id: string;
  channel: string;
  channel_account_id: string;
  address: string;
  customer_id: string | null;
  mode: string;
  state: string | null;
  state_expires_at: number | null;
  unexpected_count: number;
  version: number;
  last_inbound_at: number | null;
  handed_over_at: number | null;
  handover_reason: string | null;
  created_at: number;
  updated_at: number;
  reply_seq: number;
  lane_holder: string | null;
  lane_until: number | null;
}

export interface NdrCasesTable {
  id: string;
  workspace_id: string;
  order_id: string;
  store_connection_id: string;
  channel_account_id: string;
  address: string;
  tracking_id: string | null;
  status: string;
  action: string | null;
  reference: string | null;
  created_at: number;
  resolved_at: number | null;
}

export interface LedgerTable {
  id: string;
  workspace_id: string;
  customer_id: string;
  delta: number;
  balance_after: number;
  reason: string;
  reference: string | null;
  details: string;
  created_at: number;
}

export interface TicketsTable {
  id: string;
  workspace_id: string;
  source: string;
  source_ref: string;
  external_id: string;
  queue_id: string | null;
  category_id: string | null;
  status: string;
  assignee: string | null;
  contact_id: string | null;
  customer_external_id: string | null;
  customer_name: string | null;
  subject: string | null;
  context: string;
  auto_replied_at: number | null;
  last_message_at: number | null;
  /** When the ticket was last closed; null while it is open or pending. */
  resolved_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface TicketMessagesTable {
  id: string;
  workspace_id: string;
  ticket_id: string;
  external_id: string | null;
  kind: string;
  author: string | null;
  body: string;
  attachments: string;
  attachment_bytes: number;
  files: string | null;
  status: string;
  error: string | null;
  created_at: number;
  updated_at: number;
}

export interface MaintenanceRunsTable {
  name: string;
  token: string;
  next_run_at: number;
  last_run_at: number | null;
  /** JSON: what the last run did (counts per kind). */
  last_result: string | null;
  updated_at: number;
}

export interface CustomerErasuresTable {
  id: string;
  workspace_id: string;
  customer_id: string;
  /** The API key or user that asked, by id. */
  requested_by: string | null;
  /** JSON: rows deleted or scrubbed per table. No personal data. */
  counts: string;
  erased_at: number;
}

/** SLA policies; scope_kind 'queue' today (a label scope fits the same columns). */
export interface SlaPoliciesTable {
  id: string;
  workspace_id: string;
  name: string;
  scope_kind: string;
  scope_id: string;
  first_response_minutes: number | null;
  resolution_minutes: number | null;
  business_hours: number;
  warning_percent: number;
  created_at: number;
  updated_at: number;
}

/** One row per ticket with a policy: its targets and, once they happen, the outcomes (breached 0/1). */
export interface TicketSlasTable {
  workspace_id: string;
  ticket_id: string;
  policy_id: string;
  queue_id: string | null;
  started_at: number;
  first_response_due_at: number | null;
  first_response_warn_at: number | null;
  resolution_due_at: number | null;
  resolution_warn_at: number | null;
  first_response_at: number | null;
  first_response_breached: number | null;
  resolved_at: number | null;
  resolution_breached: number | null;
  updated_at: number;
}

export interface CsatSurveysTable {
  id: string;
  workspace_id: string;
  ticket_id: string;
  channel: string;
  status: string;
  reason: string | null;
  agent: string | null;
  score: number | null;
  sent_at: number;
  answered_at: number | null;
}

export interface Database {
  installation: { id: string; created_at: number };
  users: { id: string; workspace_id: string; email: string; name: string | null; role: string; password_hash: string; created_at: number; deactivated_at: number | null; availability: Generated<string>; capacity: number | null };
  sessions: { id: string; token_hash: string; user_id: string; workspace_id: string; csrf_token: string; created_at: number; expires_at: number };
  sign_in_failures: { key: string; failed_at: number };
  custom_fields: { id: string; workspace_id: string; name: string; type: string; created_at: number };
  contacts: { id: string; workspace_id: string; name: string | null; email: string | null; phone: string | null; fields: string; created_at: number; updated_at: number };
  contact_field_values: { workspace_id: string; field_id: string; value: string; contact_id: string };
  queues: { id: string; workspace_id: string; name: string; auto_reply: string | null; signature: string | null; created_at: number; assignment: Generated<string>; last_assigned_user_id: string | null };
  queue_members: { workspace_id: string; queue_id: string; user_id: string; created_at: number };
  user_invites: { id: string; workspace_id: string; email: string; role: string; queue_ids: string; token_hash: string; invited_by: string | null; expires_at: number; accepted_at: number | null; revoked_at: number | null; created_at: number };
  ticket_viewers: { workspace_id: string; ticket_id: string; user_id: string; seen_at: number };
  assignment_runs: { workspace_id: string; runs: number };
  categories: { id: string; workspace_id: string; name: string; created_at: number };
  tickets: TicketsTable;
  ticket_messages: TicketMessagesTable;
  ticket_reads: { workspace_id: string; ticket_id: string; user_id: string; read_at: number };
  canned_replies: { id: string; workspace_id: string; name: string; body: string; created_at: number; updated_at: number };
  labels: { id: string; workspace_id: string; name: string; colour: string; created_at: number };
  label_links: { workspace_id: string; label_id: string; target_kind: string; target_id: string; created_at: number };
  mentions: { id: string; workspace_id: string; user_id: string; ticket_id: string; message_id: string; author: string | null; created_at: number; read_at: number | null };
  queue_business_hours: { workspace_id: string; queue_id: string; time_zone: string; intervals: string; holidays: string; outside_hours_reply: string | null; updated_at: number };
  ticket_outside_hours_replies: { workspace_id: string; ticket_id: string; period_start: number; created_at: number };
  sla_policies: SlaPoliciesTable;
  ticket_slas: TicketSlasTable;
  csat_settings: { workspace_id: string; enabled: number; question: string; updated_at: number };
  csat_surveys: CsatSurveysTable;
  conversations: ConversationsTable;
  flow_modules: { id: string; workspace_id: string; name: string; definition: string; created_at: number; updated_at: number };
  chat_settings: { workspace_id: string; settings: string; updated_at: number };
  verification_codes: {
    id: string;
    workspace_id: string;
    conversation_id: string;
    purpose: string;
    target: string;
    code_hash: string;
    attempts: number;
    sends: number;
    expires_at: number;
    consumed_at: number | null;
    created_at: number;
  };
  ndr_cases: NdrCasesTable;
  otp_sends: { id: string; workspace_id: string; conversation_id: string; code_id: string; destination_hash: string; trigger_key: string; sent_at: number };
  loyalty_members: { workspace_id: string; customer_id: string; email: string; balance: number; joined_at: number };
  loyalty_ledger: LedgerTable;
  loyalty_claims: { workspace_id: string; store_connection_id: string; order_external_id: string; customer_id: string; points: number; reversed_at: number | null; created_at: number };
  customers: CustomersTable;
  message_prices: { workspace_id: string; channel_account_id: string; category: string; price_micros: number; updated_at: number };
  customer_identities: CustomerIdentitiesTable;
  opt_outs: { workspace_id: string; channel: string; address: string; source: string; created_at: number };
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  store_connections: StoreConnectionsTable;
  channel_accounts: ChannelAccountsTable;
  inbound_webhooks: InboundWebhooksTable;
  events: EventsTable;
  orders: OrdersTable;
  notification_settings: NotificationSettingsTable;
  messages: MessagesTable;
  activities: ActivitiesTable;
  jobs: JobsTable;
  channel_selections: ChannelSelectionsTable;
  usage_records: UsageRecordsTable;
  maintenance_runs: MaintenanceRunsTable;
  customer_erasures: CustomerErasuresTable;
  variable_samples: { workspace_id: string; key: string; value: string; updated_at: number };
  webhook_subscriptions: { id: string; workspace_id: string; url: string; events: string; secret: string; created_at: number };
  webhook_deliveries: {
    id: string;
    workspace_id: string;
    subscription_id: string;
    event: string;
    payload: string;
    status: string;
    attempts: number;
    response_status: number | null;
    response_body: string | null;
    error: string | null;
    created_at: number;
    delivered_at: number | null;
    next_attempt_at: number | null;
  };
  webhook_delivery_attempts: {
    id: string;
    workspace_id: string;
    delivery_id: string;
    attempt: number;
    /** automatic (the retry schedule) or manual (a redelivery asked for by the merchant). */
    trigger: string;
    started_at: number;
    duration_ms: number;
    response_status: number | null;
    response_excerpt: string | null;
    error: string | null;
  };
}
