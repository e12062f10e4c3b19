// A provider, described once: what it is, the form that connects it, how its webhooks come in, which base URL it
// calls, how its adapter is built, and how a filled-in form becomes a stored connection. Each adapter folder
// exports one (provider.ts); src/adapters/registry.ts lists them; routes, webhooks, config, the sandbox, the
// console (through GET /v1/providers) and ConnectionService.connect read that list instead of naming providers.
import type { z } from 'zod';
import type { ChannelAdapter, VerifiedAccount } from '../channels/ports.js';
import type { StoreAdapter } from '../stores/ports.js';
import type { MarketplaceAdapter } from '../tickets/ports.js';
import type { DestinationGuard, DestinationPolicy } from '../net/destinations.js';
import type { Repos } from '../repos.js';
import type { PollState } from './repo.js';
import { describeFields } from './fields.js';
import type { FieldDescription } from './fields.js';

export type ProviderKind = 'channel' | 'store' | 'marketplace';
export type ChannelName = 'whatsapp' | 'sms' | 'email' | 'messenger' | 'line';

/**
 * A base URL the adapter calls, read from the environment (the README lists them). Tests and the sandbox point
 * them at the simulators.
 */
export interface BaseUrlSetting {
  /** The environment variable, e.g. SHOPTALK_LINE_API_URL. */
  env: string;
  /** The key in config.providers.baseUrls. */
  key: string;
  default: string;
  /** A placeholder the value must contain, replaced per connection (SHOPLINE's {handle}). */
  requires?: string;
  /** Where the provider's simulator serves this API, given the simulator's base URL (default: that URL itself). */
  simulatorPath?: string;
}

/** How a provider's inbound webhooks reach the hub: POST /webhooks/<segment>/<connection or account id>. */
export interface WebhookRoute {
  /**
   * The path segments served, the provider id first where it is free; the others are aliases that keep the URLs
   * already registered with providers working (e.g. /webhooks/sms for Twilio).
   */
  paths: string[];
  /** The segment in the URLs the API hands out (webhook_url): unchanged for providers that had one before. */
  published: string;
  /** How a delivery is authenticated, in words (header and algorithm). */
  signature: string;
  /** Answers Meta's GET subscription handshake (hub.challenge) on the same paths. */
  handshake?: boolean;
  /** The workspace's Meta app URL (/webhooks/meta/<workspace>) serves these accounts too, and is the one published. */
  metaApp?: boolean;
  /** How a stored delivery is acknowledged: JSON, or an empty TwiML response (Twilio reads the answer as a reply). */
  reply?: 'json' | 'twiml';
}

/** What the factory needs to build the adapter. */
export interface FactoryContext {
  /** The configured value of one of the definition's base-URL settings, by key. */
  url(key: string): string;
  /** How long a provider call may take before its outcome is unknown. */
  timeoutMs: number;
  /** The guard for destinations workspaces choose (SMTP hosts). */
  guard: DestinationGuard;
}

/** How a refused or unreachable verification is worded (default: "<label> refused the credentials: …"). */
export interface VerifyWording {
  rejected?: (reason: string) => string;
  unavailable?: (reason: string) => string;
  /** Leave the provider's code and HTTP status out of the error's details. */
  bare?: boolean;
}

/** What connect may use: the adapter, fresh random tokens, the operator's destination policy, the workspace. */
export interface ConnectContext<A> {
  workspaceId: string;
  adapter: A;
  randomToken(bytes?: number): string;
  destinations: DestinationPolicy;
  /** Read-only lookups in the workspace (EmpikPlace checks its queue, category and custom field exist). */
  repos: Repos;
  /** Calls the provider; refusals become provider_rejected_credentials (4xx), outages provider_unavailable (502). */
  verify<T>(call: (adapter: A) => Promise<T>, wording?: VerifyWording): Promise<T>;
}

/** What connect turns a validated form into: the record to store, and what the answer shows once. */
export interface ConnectPlan {
  externalId: string;
  /** The connection's name; default: the form's name, else the name the provider reported. */
  name?: string;
  settings: Record<string, string>;
  /** Sealed at rest; shown masked. */
  secrets: Record<string, string>;
  /** The provider's answer to the verification; null when the provider has no API to verify with. */
  verified: VerifiedAccount | { displayName: string } | null;
  /** The conflict message when this external id is already connected in the workspace (default: by kind). */
  conflict?: string;
  /** A poll chain that starts with the connection (stores and marketplaces without webhooks). */
  poll?: { state: PollState; job: 'store.poll' | 'marketplace.poll' };
  /** Settings known only once the record has an id, given its published webhook URL (Twilio's status callback). */
  afterCreate?: (webhookUrl: string) => Record<string, string>;
  /** Fields the create answer carries once (generated secrets), given the published webhook URL. */
  once?: (webhookUrl: string | null) => Record<string, unknown>;
}

interface DefinitionBase<S extends z.ZodObject> {
  /** The stored provider (channels) or platform (stores) value, and the discriminator of the connect body. */
  id: string;
  /** The provider's name in messages ("LINE refused the credentials"). */
  label: string;
  /** The provider's name in the console's list of services. */
  title: string;
  /** The connect form's fields (name, credentials, settings), without the provider/platform discriminator. */
  credentials: S;
  webhooks?: WebhookRoute;
  baseUrls?: BaseUrlSetting[];
}

export interface ChannelProviderDefinition<S extends z.ZodObject = z.ZodObject> extends DefinitionBase<S> {
  kind: 'channel';
  channel: ChannelName;
  /** Messages per second an account starts with (where the form has rate_limit_per_second, unless it gives one). */
  rateLimitPerSecond: number;
  create(ctx: FactoryContext): ChannelAdapter;
  connect(input: z.output<S>, ctx: ConnectContext<ChannelAdapter>): Promise<ConnectPlan>;
}

export interface StoreProviderDefinition<S extends z.ZodObject = z.ZodObject> extends DefinitionBase<S> {
  kind: 'store';
  create(ctx: FactoryContext): StoreAdapter;
  connect(input: z.output<S>, ctx: ConnectContext<StoreAdapter>): Promise<ConnectPlan>;
}

export interface MarketplaceProviderDefinition<S extends z.ZodObject = z.ZodObject> extends DefinitionBase<S> {
  kind: 'marketplace';
  create(ctx: FactoryContext): MarketplaceAdapter;
  connect(input: z.output<S>, ctx: ConnectContext<MarketplaceAdapter>): Promise<ConnectPlan>;
}

export type ProviderDefinition = ChannelProviderDefinition | StoreProviderDefinition | MarketplaceProviderDefinition;

/** Typed helpers for one definition: the form's output type flows into connect. */
export const defineChannel = <S extends z.ZodObject>(d: ChannelProviderDefinition<S>): ChannelProviderDefinition<S> => d;
export const defineStore = <S extends z.ZodObject>(d: StoreProviderDefinition<S>): StoreProviderDefinition<S> => d;
export const defineMarketplace = <S extends z.ZodObject>(d: MarketplaceProviderDefinition<S>): MarketplaceProviderDefinition<S> => d;

/** The segment of the webhook URL the API hands out for one connection or account. */
export const publishedWebhookSegment = (d: ProviderDefinition): string | null => d.webhooks?.published ?? null;

/** The public description of a provider (GET /v1/providers). */
export interface ProviderDescription {
  id: string;
  kind: ProviderKind;
  channel: ChannelName | null;
  label: string;
  title: string;
  fields: FieldDescription[];
  rate_limit_per_second: number | null;
  webhook: { paths: string[]; published: string; signature: string } | null;
}

export function describeProvider(d: ProviderDefinition): ProviderDescription {
  return {
    id: d.id,
    kind: d.kind,
    channel: d.kind === 'channel' ? d.channel : null,
    label: d.label,
    title: d.title,
    fields: describeFields(d.credentials),
    rate_limit_per_second: d.kind === 'channel' ? d.rateLimitPerSecond : null,
    webhook: d.webhooks ? { paths: d.webhooks.paths.map((p) => `/webhooks/${p}/{id}`), published: `/webhooks/${d.webhooks.published}/{id}`, signature: d.webhooks.signature } : null,
  };
}

/** Lookups over the list of definitions. */
export class ProviderCatalogue {
  private readonly byId: ReadonlyMap<string, ProviderDefinition>;

  constructor(readonly all: readonly ProviderDefinition[]) {
    this.byId = new Map(all.map((d) => [d.id, d]));
  }

  get(id: string): ProviderDefinition | null {
    return this.byId.get(id) ?? null;
  }

  channels(): ChannelProviderDefinition[] {
    return this.all.filter((d): d is ChannelProviderDefinition => d.kind === 'channel');
  }

  /** Stores and marketplaces: both are connected with POST /v1/store-connections. */
  stores(): Array<StoreProviderDefinition | MarketplaceProviderDefinition> {
    return this.all.filter((d): d is StoreProviderDefinition | MarketplaceProviderDefinition => d.kind !== 'channel');
  }

  baseUrlSettings(): BaseUrlSetting[] {
    return this.all.flatMap((d) => d.baseUrls ?? []);
  }
}
