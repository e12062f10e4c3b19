// Response shapes of the /v1 API, as the console uses them. They come from the OpenAPI document (generated into
// api-types.ts by `npm run gen:api-types`; the shapes are declared in src/http/response-schemas.ts), so a page that
// reads a field the API does not send, or reads it as the wrong type, fails the build.
import type { components } from './api-types';

type S = components['schemas'];

export interface List<T> {
  data: T[];
  next_cursor?: string | null;
}

export type StoreConnection = S['StoreConnection'];
export type ChannelAccount = S['ChannelAccount'];
export type ChannelSelection = S['ChannelSelection'];
/** A provider a workspace can connect, with the fields of its connect form (GET /v1/providers). */
export type Provider = S['Provider'];
export type ProviderField = S['ProviderField'];

/** Fields that appear only in a creation response: shown once, never again. */
export type OnceOnly = Partial<Pick<S['CreatedStoreConnection'], 'signing_secret' | 'callback_url' | 'webhook_headers'>> &
  Partial<Pick<S['CreatedChannelAccount'], 'webhook_secret' | 'callback_url'>> &
  Partial<Pick<S['CreatedWebhookSubscription'], 'secret'>> &
  Partial<Pick<S['CreatedApiKey'], 'key'>>;

/** A setting as listed; a saved one also carries its preview and the template's approval status. */
export type NotificationSetting = S['NotificationSetting'] & Partial<Pick<S['SavedNotificationSetting'], 'preview' | 'template_status'>>;
export type MatrixCell = S['MatrixCell'];
export type NotificationVariable = S['NotificationVariable'];
export type ChatSettings = S['ChatSettings'];
export type TestSendResult = S['TestSendResult'];

/** Money as the store gave it: a decimal string and its ISO currency. */
export type Money = S['Money'];
export type OrderLine = S['OrderLine'];
/** An order of the hub: `total` is a decimal string in `currency` (a store's order history gives Money instead). */
export type Order = S['Order'];
export type Activity = S['Activity'];

export type Ticket = S['Ticket'];
export type TicketMessage = S['TicketMessage'];
export type Contact = S['Contact'];
export type TicketDetail = S['TicketDetail'];
export type Named = S['Named'];

export type Customer = S['Customer'];
export type Loyalty = S['Loyalty'];
export type OrderHistory = S['OrderHistory'];

export type UsageRow = S['UsageRow'];
export type Usage = S['Usage'];
export type InboxReport = S['InboxReport'];
export type InboxReportRow = S['InboxReportRow'];
export type NotificationReport = S['NotificationReport'];
export type NotificationReportRow = S['NotificationReportRow'];
export type MessagePrices = S['MessagePrices'];

export type ApiKey = S['ApiKey'];
export type WebhookSubscription = S['WebhookSubscription'];
export type WebhookDelivery = S['WebhookDelivery'];

export type JobStats = S['JobStats'];
export type DeadJob = S['DeadJob'];

export type PhoneChannel = S['SandboxPhone']['channels'][number];
export type PhoneMessage = S['PhoneMessage'];
export type SandboxPhone = S['SandboxPhone'];

export const CHANNELS = ['whatsapp', 'messenger', 'line', 'sms', 'email'] as const;

export const CHANNEL_LABELS: Record<string, string> = { whatsapp: 'WhatsApp', messenger: 'Messenger', line: 'LINE', sms: 'SMS', email: 'E-mail' };

export const channelLabel = (c: string): string => CHANNEL_LABELS[c] ?? c;

export type TeamMember = S['TeamMember'];
export type Invite = S['Invite'];
export type CreatedInvite = S['CreatedInvite'];
export type InviteCheck = S['InviteCheck'];
export type QueueAssignment = S['QueueAssignment'];
export type Agent = S['Agent'];
export type TicketViewers = S['TicketViewers'];
export type LinkableOrder = S['LinkableOrder'];

export const AVAILABILITY_LABELS: Record<string, string> = { online: 'Online', away: 'Away', offline: 'Offline' };
export const ASSIGNMENT_LABELS: Record<string, string> = { off: 'Off (assign by hand)', round_robin: 'Round-robin', least_open: 'Fewest open tickets' };
