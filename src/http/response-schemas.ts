// Response shapes of the endpoints the console reads. Fastify serialises each response through its schema
// (fields not declared here are dropped, a value of the wrong type is a 500), and the OpenAPI document built from
// them is where the console's types come from (npm run gen:api-types → console/src/api-types.ts). So a view that
// changes without its schema, or a console that reads what the API does not send, fails the tests or the build.
import { z } from 'zod';

/** Named schemas: each becomes components.schemas.<id> in the OpenAPI document. */
export const apiSchemas = z.registry<{ id: string; description?: string }>();

const named = <T extends z.ZodType>(id: string, schema: T, description?: string): T => {
  apiSchemas.add(schema as z.ZodType, { id, ...(description ? { description } : {}) });
  return schema;
};

const isoTime = z.string().describe('ISO 8601 time');
const maybeTime = isoTime.nullable();
const json = z.record(z.string(), z.unknown());
const textMap = z.record(z.string(), z.string());

const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });
const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), next_cursor: z.string().nullable() });

export const Money = named('Money', z.object({ amount: z.string().describe('decimal amount as the store gave it'), currency: z.string().describe('ISO 4217 code') }), 'An amount and its currency');

export const OrderLine = named('OrderLine', z.object({ sku: z.string().nullable(), title: z.string(), quantity: z.number(), price: z.string().nullable() }));

// ---- Session and workspace ----

export const User = named('User', z.object({ id: z.string(), email: z.string(), name: z.string().nullable(), role: z.enum(['admin', 'agent']), created_at: isoTime }));
export const WorkspaceRef = named('WorkspaceRef', z.object({ id: z.string(), name: z.string() }));
export const SessionInfo = named('Session', z.object({ user: User, workspace: WorkspaceRef.nullable() }));
export const Workspace = named(
  'Workspace',
  z.object({
    id: z.string(),
    name: z.string(),
    brand_name: z.string().nullable(),
    currency: z.string().nullable().describe('ISO 4217 code sample amounts and previews use'),
    language: z.string().nullable().describe('language of previews and built-in texts'),
    created_at: isoTime,
  }),
);

export const ApiKey = named('ApiKey', z.object({ id: z.string(), name: z.string(), hint: z.string(), created_at: isoTime, last_used_at: maybeTime, revoked_at: maybeTime }));
export const ApiKeyList = list(ApiKey);
export const CreatedApiKey = named('CreatedApiKey', ApiKey.extend({ key: z.string().describe('shown in this response only') }));

// ---- Connections ----

export const StoreConnection = named(
  'StoreConnection',
  z.object({
    id: z.string(),
    platform: z.string(),
    name: z.string(),
    external_id: z.string().nullable(),
    settings: textMap,
    secrets: textMap.describe('masked'),
    status: z.string(),
    webhook_url: z.string().nullable(),
    poll: z.object({ since: maybeTime, last_polled_at: maybeTime, failures: z.number() }).nullable(),
    last_error: z.string().nullable(),
    verified_at: maybeTime,
    created_at: isoTime,
  }),
);
export const StoreConnectionList = list(StoreConnection);
/** A new store connection: what its platform needs shown once (signing secret, webhook header and URL). */
export const CreatedStoreConnection = named(
  'CreatedStoreConnection',
  StoreConnection.extend({ signing_secret: z.string().optional(), webhook_headers: textMap.optional(), callback_url: z.string().optional() }),
);

export const ChannelAccount = named(
  'ChannelAccount',
  z.object({
    id: z.string(),
    channel: z.string(),
    provider: z.string(),
    name: z.string(),
    owner: z.enum(['merchant', 'platform']),
    external_id: z.string().nullable(),
    display_name: z.string().nullable(),
    settings: textMap,
    secrets: textMap.describe('masked'),
    status: z.string(),
    number_check: z.object({ state: z.string(), note: z.string().nullable() }).nullable(),
    rate_limit_per_second: z.number().nullable(),
    webhook_url: z.string(),
    account_webhook_url: z.string(),
    verified_at: maybeTime,
    created_at: isoTime,
  }),
);
export const ChannelAccountList = list(ChannelAccount);
export const CreatedChannelAccount = named('CreatedChannelAccount', ChannelAccount.extend({ callback_url: z.string().optional(), webhook_secret: z.string().optional() }));

export const ProviderField = named(
  'ProviderField',
  z.object({
    name: z.string().describe('the field of the connect body'),
    type: z.enum(['string', 'number', 'enum']),
    required: z.boolean(),
    secret: z.boolean().describe('hidden in forms, masked in answers'),
    label: z.string(),
    help: z.string().nullable(),
    example: z.union([z.string(), z.number()]).nullable(),
    format: z.enum(['url', 'email']).nullable(),
    options: z.array(z.string()).nullable().describe('the accepted values of an enum'),
  }),
);

export const Provider = named(
  'Provider',
  z.object({
    id: z.string().describe('the provider (channels) or platform (stores) value of the connect body and of stored records'),
    kind: z.enum(['channel', 'store', 'marketplace']),
    channel: z.string().nullable(),
    label: z.string(),
    title: z.string().describe('the name in the console’s list of services'),
    fields: z.array(ProviderField),
    rate_limit_per_second: z.number().nullable().describe('the default send rate of a channel account'),
    webhook: z.object({ paths: z.array(z.string()), published: z.string(), signature: z.string() }).nullable(),
    connect: z.object({ method: z.string(), path: z.string(), fixed: textMap.describe('the discriminator fields of the body') }),
  }),
  'A provider a workspace can connect, with its connect form.',
);
export const ProviderList = list(Provider);

export const ChannelSelection = named(
  'ChannelSelection',
  z.object({
    channel: z.string(),
    channel_account_id: z.string().nullable(),
    how: z.string(),
    accounts: z.array(z.object({ id: z.string(), name: z.string(), owner: z.enum(['merchant', 'platform']), provider: z.string(), installed_at: isoTime })),
    install: z.object({ method: z.string(), path: z.string(), message: z.string() }).nullable(),
  }),
);
export const ChannelSelectionList = list(ChannelSelection);
export const ChannelSelected = z.object({ channel: z.string(), channel_account_id: z.string().nullable(), how: z.string() });

// ---- Notifications ----

export const NotificationSetting = named(
  'NotificationSetting',
  z.object({
    event_type: z.string(),
    channel: z.string(),
    enabled: z.boolean(),
    channel_account_id: z.string().nullable(),
    template: z
      .object({ name: z.string().optional(), language: z.string().optional(), id: z.string().nullable().optional(), body: z.string().optional(), subject: z.string().nullable().optional() })
      .nullable(),
    variables: textMap,
    charges_confirmed_at: maybeTime,
    charges_confirmed_by: z.string().nullable(),
    updated_at: maybeTime,
  }),
);
export const NotificationSettingList = list(NotificationSetting);
export const SavedNotificationSetting = named('SavedNotificationSetting', NotificationSetting.extend({ preview: z.string().nullable(), template_status: z.string() }));

export const MatrixCell = named(
  'MatrixCell',
  z.object({ event_type: z.string(), event_label: z.string(), channel: z.string(), supported: z.boolean(), platforms: z.array(z.string()), reason: z.string().nullable() }),
);
export const MatrixCellList = list(MatrixCell);

export const NotificationVariable = named('NotificationVariable', z.object({ key: z.string(), label: z.string(), sample: z.string().optional() }));
export const NotificationVariableList = list(NotificationVariable);

export const NotificationPreview = named(
  'NotificationPreview',
  z.object({
    preview: z.string().nullable(),
    template_status: z.string(),
    language: z.string().nullable(),
    currency: z.string().nullable(),
    variables: textMap.nullable().describe('placeholder → variable, as the hub would map them'),
  }),
);

export const TestSendResult = named(
  'TestSendResult',
  z.object({ message_id: z.string(), status: z.string(), provider_message_id: z.string().nullable(), reason: z.string().nullable(), preview: z.string().nullable() }),
);

export const ChatSettings = named(
  'ChatSettings',
  z.object({
    welcome_module_id: z.string().nullable(),
    incorrect_reply: z.object({ enabled: z.boolean(), text: z.string() }),
    escalate_after: z.number(),
    state_ttl_minutes: z.number(),
    unknown_text: z.enum(['menu', 'nothing']).describe('what text the bot does not understand gets: the welcome menu, or only the incorrect-reply message'),
    linking: z.object({ store_connection_id: z.string().nullable(), verify_by: z.enum(['sms', 'email']), terms_url: z.string().nullable() }),
    loyalty: z.object({
      enabled: z.boolean(),
      points_per_unit: z.string(),
      signup_bonus: z.number(),
      prizes: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          cost: z.number(),
          reward: z.discriminatedUnion('kind', [z.object({ kind: z.literal('store_coupon'), value: z.string() }), z.object({ kind: z.literal('code'), code: z.string() })]),
        }),
      ),
    }),
  }),
);

// ---- Orders ----

export const Order = named(
  'Order',
  z.object({
    id: z.string(),
    store_connection_id: z.string(),
    external_id: z.string(),
    name: z.string(),
    customer_name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    total: z.string().nullable().describe('decimal amount in `currency`'),
    currency: z.string().nullable(),
    status: z.string().nullable(),
    lines: z.array(OrderLine),
    store_name: z.string().nullable().optional().describe('the store the order came from (lists name it: two stores may share an order number)'),
    created_at: isoTime,
    updated_at: isoTime,
  }),
);
export const OrderPage = page(Order);

export const Activity = named('Activity', z.object({ id: z.string(), kind: z.string(), summary: z.string(), message_id: z.string().nullable(), data: json.nullable(), created_at: isoTime }));
export const OrderActivity = z.object({ order_id: z.string(), data: z.array(Activity) });

// ---- Inbox ----

export const Named = named('Named', z.object({ id: z.string(), name: z.string() }));
export const Label = named('Label', z.object({ id: z.string(), name: z.string(), colour: z.string().describe('#rrggbb'), created_at: isoTime }), 'A label of the workspace, put on tickets and contacts');
export const LabelList = list(Label);
export const Queue = named('Queue', z.object({ id: z.string(), name: z.string(), auto_reply: z.string().nullable(), signature: z.string().nullable() }));
export const QueueList = list(Queue);
export const Category = named('Category', z.object({ id: z.string(), name: z.string(), createdAt: z.number() }));
export const CategoryList = list(Category);

export const TicketSla = named(
  'TicketSla',
  z.object({
    policy_id: z.string(),
    first_response_due_at: maybeTime,
    resolution_due_at: maybeTime,
    first_response_at: maybeTime,
    resolved_at: maybeTime,
    state: z.enum(['ok', 'warning', 'breached', 'met']),
  }),
  'A ticket’s SLA targets and state: warning past the policy’s warning share of a target, breached once a target was missed, met when all were reached',
);

export const Ticket = named(
  'Ticket',
  z.object({
    id: z.string(),
    source: z.string(),
    queue_id: z.string().nullable(),
    category_id: z.string().nullable(),
    status: z.string(),
    assignee: z.string().nullable(),
    contact_id: z.string().nullable(),
    customer_external_id: z.string().nullable(),
    customer_name: z.string().nullable(),
    subject: z.string().nullable(),
    order: z.object({ id: z.string(), url: z.string().nullable(), products: z.array(OrderLine) }).nullable(),
    conversation_url: z.string().nullable(),
    conversation_id: z.string().nullable(),
    last_message_at: maybeTime,
    created_at: isoTime,
    updated_at: isoTime,
    customer_id: z.string().nullable().describe('the hub customer behind a chat ticket'),
    title: z.string().nullable().describe('what the inbox shows as the subject: the first customer message, or the order'),
    assignee_name: z.string().nullable(),
    last_message: z.object({ kind: z.string(), author: z.string().nullable(), body: z.string(), created_at: isoTime }).nullable(),
    unread: z.boolean().nullable().describe('for the signed-in user; null with an API key'),
    labels: z.array(Label),
    sla: TicketSla.nullable().describe('the SLA policy’s targets and state; null when no policy applies'),
  }),
);
export const TicketPage = page(Ticket);

export const TicketMessage = named(
  'TicketMessage',
  z.object({
    id: z.string(),
    ticket_id: z.string(),
    kind: z.string(),
    author: z.string().nullable(),
    body: z.string(),
    attachments: z.array(z.object({ name: z.string(), size: z.number(), contentType: z.string().optional() })),
    status: z.string(),
    error: z.string().nullable(),
    created_at: isoTime,
  }),
);

export const Contact = named(
  'Contact',
  z.object({ id: z.string(), name: z.string().nullable(), email: z.string().nullable(), phone: z.string().nullable(), fields: textMap, labels: z.array(Label), created_at: isoTime, updated_at: isoTime }),
);

/** An order of the chat's customer, as the store reports it: the total is money with its currency. */
export const CustomerOrder = named(
  'CustomerOrder',
  z.object({ name: z.string(), status: z.string().nullable(), total: Money.nullable(), url: z.string().nullable(), created_at: z.string().nullable() }),
);

export const TicketDetail = named(
  'TicketDetail',
  Ticket.extend({ handover_reason: z.string().nullable(), contact: Contact.nullable(), customer_orders: z.array(CustomerOrder), messages: z.array(TicketMessage) }),
);

// ---- Customers ----

export const Customer = named(
  'Customer',
  z.object({
    id: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    identities: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        value: z.string(),
        channel_account_id: z.string().nullable(),
        store_connection_id: z.string().nullable(),
        display_name: z.string().nullable(),
        created_at: isoTime,
        last_active_at: maybeTime,
      }),
    ),
    created_at: isoTime,
    updated_at: isoTime,
  }),
);
export const CustomerPage = page(Customer);

export const Loyalty = named(
  'Loyalty',
  z.object({
    member: z.boolean(),
    email: z.string().nullable(),
    balance: z.number().nullable(),
    ledger: z.array(z.object({ id: z.string(), delta: z.number(), balance_after: z.number(), reason: z.string(), reference: z.string().nullable(), details: json, created_at: isoTime })),
  }),
);

export const OrderHistory = named(
  'OrderHistory',
  z.object({
    store_connection_id: z.string(),
    platform: z.string(),
    window_days: z.number(),
    source: z.enum(['store', 'hub']),
    store_url: z.string().nullable(),
    orders: z.array(
      z.object({
        external_id: z.string(),
        name: z.string(),
        total: Money.nullable(),
        financial_status: z.string().nullable(),
        fulfillment_status: z.string().nullable(),
        status_url: z.string().nullable(),
        created_at: z.string().nullable(),
        lines: z.array(OrderLine),
      }),
    ),
  }),
);
export const OrderHistoryList = list(OrderHistory);

// ---- Usage ----

export const UsageRow = named(
  'UsageRow',
  z.object({
    month: z.string(),
    channel: z.string(),
    channel_account_id: z.string(),
    channel_account_name: z.string().nullable(),
    provider: z.string(),
    owner: z.string(),
    category: z.string(),
    messages: z.number(),
  }),
);
export const Usage = named(
  'Usage',
  z.object({
    from: z.string(),
    to: z.string(),
    data: z.array(UsageRow),
    totals: z.object({ messages: z.number(), by_owner: z.record(z.string(), z.number()), by_channel: z.record(z.string(), z.number()) }),
  }),
);

// ---- Developers ----

export const WebhookSubscription = named('WebhookSubscription', z.object({ id: z.string(), url: z.string(), events: z.array(z.string()), created_at: isoTime }));
export const WebhookSubscriptionList = list(WebhookSubscription);
export const CreatedWebhookSubscription = named('CreatedWebhookSubscription', WebhookSubscription.extend({ secret: z.string().describe('shown in this response only') }));

export const WebhookDelivery = named(
  'WebhookDelivery',
  z.object({
    id: z.string(),
    event: z.string(),
    status: z.string(),
    attempts: z.number(),
    response_status: z.number().nullable(),
    response_body: z.string().nullable(),
    error: z.string().nullable(),
    payload: z.unknown(),
    created_at: isoTime,
    delivered_at: maybeTime,
    next_attempt_at: maybeTime,
  }),
);
export const WebhookDeliveryPage = z.object({ data: z.array(WebhookDelivery), next_before: z.string().nullable() });

// ---- Sandbox ----

export const SandboxPhone = named(
  'SandboxPhone',
  z.object({ enabled: z.boolean(), channels: z.array(z.object({ channel: z.string(), account_id: z.string(), label: z.string() })) }),
);
export const PhoneMessage = named(
  'PhoneMessage',
  z.object({
    direction: z.enum(['in', 'out']),
    via: z.enum(['sms', 'email']).optional().describe('a text message or e-mail to the customer (one-time codes)'),
    from: z.string().nullable().optional(),
    text: z.string(),
    buttons: z.array(z.object({ id: z.string(), title: z.string() })),
    at: isoTime,
  }),
);
export const PhoneMessageList = z.array(PhoneMessage);
export const DemoOrder = z.object({ order_name: z.string(), phone: z.string().nullable() });
/** GET /v1/usage answers JSON, or CSV text with format=csv. */
export const UsageOrCsv = z.union([Usage, z.string().describe('CSV (format=csv)')]);

// ---- First run ----

export const SetupState = named(
  'SetupState',
  z.object({
    store_connected: z.boolean(),
    stores: z.number().int(),
    channel_connected: z.boolean(),
    channels: z.number().int(),
    notification_enabled: z.boolean(),
    notifications_enabled: z.number().int(),
    message_sent: z.boolean().describe('a notification or a test message reached the provider'),
  }),
);

// ---- Every other operation ----

/** 204: nothing in the body. */
export const NoContent = z.void().describe('No content');

/** The one error body every failed request answers with (see the error catalogue in the README). */
export const ErrorBody = named(
  'Error',
  z.object({
    error: z.object({
      code: z.string().describe('stable, machine-readable (validation_failed, not_found, conflict, ...)'),
      message: z.string().describe('what went wrong, naming the field or record'),
      type: z.string(),
      request_id: z.string().describe('also in the x-request-id header and the logs'),
      details: z.unknown().describe('fields that failed validation, ids, retry_after_seconds ...'),
    }),
  }),
  'An error',
);

export const UserList = list(User);
export const CreatedUser = named('CreatedUser', User.extend({ password: z.string().optional().describe('a generated password, shown in this response only') }));

export const Template = named(
  'Template',
  z.object({
    id: z.string(),
    name: z.string(),
    language: z.string(),
    status: z.string(),
    category: z.string().nullable(),
    body: z.string().nullable(),
    placeholders: z.array(z.string()),
    parameter_format: z.enum(['POSITIONAL', 'NAMED']),
  }),
);
export const TemplateList = list(Template);
export const SampleValues = z.object({ data: textMap.describe('variable → sample value') });

export const Message = named(
  'Message',
  z.object({
    id: z.string(),
    direction: z.enum(['outbound', 'inbound']),
    channel: z.string(),
    channel_account_id: z.string().nullable(),
    event_id: z.string().nullable(),
    order_id: z.string().nullable(),
    recipient: z.string().nullable(),
    template_name: z.string().nullable(),
    category: z.string().nullable(),
    content: z.unknown().describe('what was sent or received, as stored'),
    status: z.string(),
    reason: z.string().nullable(),
    error_code: z.string().nullable(),
    provider_message_id: z.string().nullable(),
    attempts: z.number(),
    created_at: isoTime,
    sent_at: maybeTime,
    delivered_at: maybeTime,
    read_at: maybeTime,
    failed_at: maybeTime,
  }),
);
export const MessagePage = page(Message);

export const DeadJobList = list(
  named('DeadJob', z.object({ id: z.string(), type: z.string(), attempts: z.number(), last_error: z.string().nullable(), payload: z.unknown(), died_at: maybeTime })),
);
export const RedrivenJob = z.object({ id: z.string(), status: z.literal('pending') });
export const JobStats = named(
  'JobStats',
  z.object({
    ready: z.number().describe('waiting to run, never tried'),
    retrying: z.number().describe('failed at least once, waiting for the next attempt'),
    running: z.number(),
    dead: z.number().describe('failed for good (GET /v1/jobs/dead lists this workspace’s)'),
    outbox: z.number().describe('committed, not yet taken by a worker (with Redis: not yet relayed to it)'),
  }),
  'Jobs of the installation by state, all workspaces together',
);

export const RecordedEvent = named('RecordedEvent', z.object({ id: z.string(), type: z.string(), order_id: z.string().nullable(), duplicate: z.literal(false), idempotency_key: z.string() }));
export const DuplicateEvent = named('DuplicateEvent', z.object({ duplicate: z.literal(true), idempotency_key: z.string() }));

export const PushAccepted = z.object({ request_id: z.string(), recipient_id: z.string() });
/** Seed 001's answer for an unknown recipient: Facebook's error shape, not the hub's. */
export const PushRecipientNotFound = z.object({
  error: z.object({ code: z.number(), error_subcode: z.number(), type: z.string(), message: z.string(), request_id: z.string() }),
});

export const WebhookDeliveryDetail = named(
  'WebhookDeliveryDetail',
  WebhookDelivery.extend({
    attempt_log: z.array(
      z.object({
        attempt: z.number(),
        trigger: z.enum(['automatic', 'manual']),
        started_at: isoTime,
        duration_ms: z.number().nullable(),
        response_status: z.number().nullable(),
        response_body: z.string().nullable(),
        error: z.string().nullable(),
      }),
    ),
  }),
);

export const OptOut = named('OptOut', z.object({ channel: z.string(), address: z.string(), source: z.string(), created_at: isoTime }));
export const OptOutPage = page(OptOut);
export const OptOutResult = z.object({ channel: z.string(), address: z.string(), created: z.boolean() });

const onClick = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('module'), module_id: z.string() }),
  z.object({ kind: z.literal('url'), url: z.string() }),
  z.object({ kind: z.literal('action'), action: z.string() }),
]);
export const FlowModule = named(
  'FlowModule',
  z.object({
    id: z.string(),
    name: z.string(),
    text: z.string(),
    keywords: z.array(z.string()),
    buttons: z.array(z.object({ id: z.string(), title: z.string(), on_click: onClick })),
    created_at: isoTime,
    updated_at: isoTime,
  }),
);
export const FlowModuleList = list(FlowModule);
export const InstalledMenu = z.object({ menu_id: z.string().nullable(), items: z.number().describe('menu items installed') });

export const Conversation = named(
  'Conversation',
  z.object({
    id: z.string(),
    channel: z.string(),
    channel_account_id: z.string(),
    address: z.string(),
    customer_id: z.string().nullable(),
    mode: z.enum(['bot', 'agent']),
    step: z.string().nullable().describe('flow:step the bot waits in, null at the menu'),
    handed_over_at: maybeTime,
    handover_reason: z.string().nullable(),
    last_inbound_at: maybeTime,
    created_at: isoTime,
    updated_at: isoTime,
  }),
);
export const ConversationPage = page(Conversation);
export const ConversationDetail = named('ConversationDetail', Conversation.extend({ messages: z.array(Message) }));

export const CustomField = named('CustomField', z.object({ id: z.string(), name: z.string(), type: z.literal('text'), createdAt: z.number() }));
export const CustomFieldList = list(CustomField);
export const ContactPage = page(Contact);

// ---- Inbox tools: canned replies, mentions ----

export const CannedReply = named(
  'CannedReply',
  z.object({
    id: z.string(),
    name: z.string(),
    body: z.string().describe('plain text with {{variables}}'),
    variables: z.array(z.string()).describe('the variables the body uses'),
    created_at: isoTime,
    updated_at: isoTime,
  }),
);
export const CannedReplyList = list(CannedReply);
export const RenderedCannedReply = named(
  'RenderedCannedReply',
  CannedReply.extend({
    text: z.string().describe('the body with the variables filled in for the ticket'),
    missing: z.array(z.string()).describe('variables the ticket has no value for (left empty in text)'),
  }),
);
export const RenderedCannedReplyList = list(RenderedCannedReply);
export const CannedVariableList = list(z.object({ name: z.string(), description: z.string() }));
export const Mention = named(
  'Mention',
  z.object({
    id: z.string(),
    ticket_id: z.string(),
    ticket_title: z.string().nullable(),
    message_id: z.string(),
    author: z.string().nullable(),
    excerpt: z.string().describe('the start of the private note'),
    created_at: isoTime,
    read_at: maybeTime,
  }),
  'A private note that mentions the signed-in user',
);
export const MentionList = z.object({ data: z.array(Mention), unread: z.number().int() });
export const MentionableUser = named('MentionableUser', z.object({ id: z.string(), email: z.string(), name: z.string().nullable() }));
export const MentionableUserList = list(MentionableUser);
export const NoteResult = named('NoteResult', z.object({ message: TicketMessage, mentioned: z.array(MentionableUser) }));
export const MarkedRead = z.object({ marked: z.number().int() });

export const PhoneMessageAccepted = z.object({ accepted: z.literal(true) });

/** GET /v1/inbox/stream: `event: ticket` and `event: ticket.message` frames whose data is a Ticket or a TicketMessage as JSON. */
export const InboxEvents = named(
  'InboxEvents',
  z.string(),
  '"event: ticket" (data: a Ticket), "event: ticket.message" (data: a TicketMessage) and "event: ticket.viewers" (data: a TicketViewers: who has the ticket open, sent when that changes) frames, and comment lines that keep the connection open',
);

/** Named schemas sent with another media type than JSON. */
export const mediaTypes: Readonly<Record<string, string>> = { InboxEvents: 'text/event-stream' };

// ---- Operations ----

export const VersionInfo = named(
  'VersionInfo',
  z.object({
    version: z.string().describe('the Shoptalk package version'),
    node: z.string().describe('the Node.js version the process runs on'),
    database: z.enum(['sqlite', 'postgres']),
    queue: z.enum(['sql', 'bullmq']).describe('sql: jobs in the database; bullmq: jobs on Redis'),
    migrations: z.object({
      known: z.number().int().describe('migrations this version has'),
      applied: z.number().int(),
      pending: z.number().int(),
      last_applied: z.string().nullable(),
    }),
  }),
  'The running version and what it runs on',
);
/** What GET /v1/version answers; the composition root knows the package, the database and the queue. */
export type VersionInfo = z.infer<typeof VersionInfo>;

// ---- Reports ----

const Durations = z.object({ count: z.number().int(), avg_seconds: z.number().int().nullable(), median_seconds: z.number().int().nullable() });
export const InboxReportRow = named(
  'InboxReportRow',
  z.object({
    key: z.string().nullable().describe('The group: a day (YYYY-MM-DD), queue id, source, user id or label id; null: none (no queue, unassigned, no label) or the totals'),
    name: z.string().nullable().describe('The queue’s, user’s or label’s name, where the key is an id'),
    tickets_opened: z.number().int(),
    tickets_resolved: z.number().int(),
    first_response: Durations.describe('Tickets opened in the range: time to the first agent reply'),
    resolution: Durations.describe('Tickets resolved in the range: time from opening to resolution'),
    sla: z.object({
      first_response_met: z.number().int(),
      first_response_breached: z.number().int(),
      resolution_met: z.number().int(),
      resolution_breached: z.number().int(),
      attainment_percent: z.number().nullable(),
    }),
    csat: z.object({ responses: z.number().int(), average: z.number().nullable(), satisfied_percent: z.number().nullable().describe('Share of scores 4 and 5') }),
  }),
);
export const InboxReport = named(
  'InboxReport',
  z.object({ from: z.string(), to: z.string(), tz: z.string(), group_by: z.string(), rows: z.array(InboxReportRow), totals: InboxReportRow }),
);
export const InboxReportOrCsv = z.union([InboxReport, z.string().describe('CSV (format=csv)')]);

export const NotificationReportRow = named(
  'NotificationReportRow',
  z.object({
    key: z.string().nullable().describe('The group: a day (YYYY-MM-DD), event type, channel or sending account id; null: none, or the totals'),
    name: z.string().nullable().describe('The sending account’s name, where the key is one'),
    messages: z.number().int(),
    sent: z.number().int().describe('Accepted by the provider (sent, delivered or read)'),
    delivered: z.number().int(),
    read: z.number().int(),
    failed: z.number().int(),
    unknown: z.number().int().describe('Outcome unknown: the provider did not answer in time'),
    skipped: z.number().int().describe('Not sent on purpose: policy, opt-out, no recipient'),
    pending: z.number().int(),
    billed: z.number().int().describe('Billable sends'),
    unpriced: z.number().int().describe('Billable sends without a price for their account and category'),
    cost: z.string().describe('Cost of the billable sends in the workspace’s currency, a decimal amount'),
  }),
);
export const NotificationReport = named(
  'NotificationReport',
  z.object({ from: z.string(), to: z.string(), tz: z.string(), group_by: z.string(), currency: z.string().nullable(), rows: z.array(NotificationReportRow), totals: NotificationReportRow }),
);
export const NotificationReportOrCsv = z.union([NotificationReport, z.string().describe('CSV (format=csv)')]);

export const MessagePrices = named(
  'MessagePrices',
  z.object({
    currency: z.string().nullable(),
    data: z.array(z.object({ channel_account_id: z.string(), channel_account_name: z.string().nullable(), category: z.string(), price: z.string() })),
  }),
);
