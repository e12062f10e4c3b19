// What a provider fixture hands the shared contract suites: a running simulator, an adapter pointed at it,
// credentials it accepts and refuses, and ways to make the simulator produce real webhooks over HTTP.
// Each fixture module under fixtures/ implements one of these; the suites never touch a provider directly.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { ChannelAccountCredentials, ChannelAdapter, OutboundContent, RawWebhook } from '../../src/core/channels/ports.js';
import type { OrderPollWindow, StoreAdapter, StoreConnectionCredentials } from '../../src/core/stores/ports.js';
import type { Fault, Simulator } from '../../src/sandbox/simulator.js';
import { WebhookReceiver, rawWebhook } from '../support/receiver.js';

// ---------------------------------------------------------------------------------------------
// Store platforms

/** One webhook the simulator delivered, and how to make it deliver the very same delivery again. */
export interface StoreDelivery {
  webhook: RawWebhook;
  /** The platform's retry of this delivery (same delivery, sent again), as received. */
  redeliver(): Promise<RawWebhook>;
}

export interface StoreWebhookSource {
  /** Secrets of another connection (another shop / app), to show they do not verify this one's deliveries. */
  otherSecrets: Record<string, string>;
  /** Makes the simulator deliver a new order event (a new order each call) and returns what arrived. */
  orderDelivery(): Promise<StoreDelivery>;
}

export interface StorePollSource {
  /** Creates orders the next poll of window() returns. */
  seedOrders(): void;
  /** A window that covers the seeded orders and is within maxPollWindowMs. */
  window(): OrderPollWindow;
}

export interface StoreHarness {
  adapter: StoreAdapter;
  simulator: Simulator;
  valid: StoreConnectionCredentials;
  /** Credentials the platform refuses (wrong token / key / secret). */
  refused: StoreConnectionCredentials;
  /** Null for platforms without order webhooks (91APP). */
  webhooks: StoreWebhookSource | null;
  /** Null for platforms that push order webhooks instead of being polled. */
  polling: StorePollSource | null;
  /** Forgets faults, deliveries and state, then registers the fixture's shop again. */
  reset(): void;
  close(): Promise<void>;
}

export type StoreContractCase = 'tampered body does not verify';

export interface StoreFixture {
  name: string;
  /**
   * Contract cases this platform is known to fail, by case name, with the reason; the suite runs them as
   * it.fails so they stay visible and start failing the run once fixed.
   */
  knownFailures?: Partial<Record<StoreContractCase, string>>;
  start(): Promise<StoreHarness>;
}

// ---------------------------------------------------------------------------------------------
// Messaging channels

export interface InboundDelivery {
  webhook: RawWebhook;
  /** The sender and text the simulator put in the inbound message, as the adapter should report them. */
  from: string;
  text: string;
}

/** How the provider reports a send to a recipient it cannot reach. */
export type InvalidRecipientBehaviour =
  /** The send call itself is refused. */
  | 'refused_on_send'
  /** The send is accepted and a 'failed' status webhook follows (WhatsApp 131026, Gupshup 1002). */
  | 'failed_status';

export interface ChannelHarness {
  adapter: ChannelAdapter;
  simulator: Simulator;
  account: ChannelAccountCredentials;
  refused: ChannelAccountCredentials;
  /** Secrets of another account, to show they do not verify this account's webhooks. */
  otherSecrets: Record<string, string>;
  /** A recipient the send reaches, in the channel's address form. */
  recipient: string;
  /** The simplest content this account can send to recipient (a template where free text needs a window). */
  content(): OutboundContent;
  /** Whether the provider has templates (listTemplates is non-empty for the fixture's account). */
  hasTemplates: boolean;
  faults: {
    /** A rate limit with Retry-After; null where the protocol has none (SMTP). */
    rateLimited: Fault | null;
    /** A transient server failure (HTTP 5xx; for SMTP a 4xx reply). */
    unavailable: Fault;
  };
  /** Null where the simulator has no invalid_recipient fault. */
  invalidRecipient: { recipient: string; behaviour: InvalidRecipientBehaviour } | null;
  /** Makes the simulator post a signed inbound text message and returns what arrived. */
  inboundWebhook(): Promise<InboundDelivery>;
  /** Waits for the status webhook the simulator posts for a sent message; null when the provider posts none (LINE). */
  statusWebhook: ((providerMessageId: string) => Promise<RawWebhook>) | null;
  reset(): void;
  close(): Promise<void>;
}

export type ChannelContractCase = 'tampered body does not verify';

export interface ChannelFixture {
  name: string;
  /** As StoreFixture.knownFailures: cases run as it.fails, with the defect named. */
  knownFailures?: Partial<Record<ChannelContractCase, string>>;
  start(): Promise<ChannelHarness>;
}

// ---------------------------------------------------------------------------------------------
// Helpers the fixtures share

/** A fixture's simulator and local receiver, both listening, with the reset and close its harness hands out. */
export interface Rig<S extends Simulator> {
  simulator: S;
  receiver: WebhookReceiver;
  baseUrl: string;
  /** Forgets faults, deliveries, state and what the receiver got, then registers the fixture's accounts again. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts a receiver at receiverPath (where the simulator posts webhooks) and the simulator, and registers the
 * fixture's accounts, pointed at the receiver's URL; `register` runs again after every reset.
 */
export async function startRig<S extends Simulator>(simulator: S, receiverPath: string, register: (simulator: S, receiverUrl: string) => void): Promise<Rig<S>> {
  const receiver = new WebhookReceiver(receiverPath);
  await receiver.listen();
  const baseUrl = await simulator.listen();
  register(simulator, receiver.url);
  return {
    simulator,
    receiver,
    baseUrl,
    reset() {
      simulator.reset();
      receiver.clear();
      register(simulator, receiver.url);
    },
    async close() {
      await simulator.close();
      await receiver.close();
    },
  };
}

/**
 * The suites' hooks: starts the fixture's harness before the describe block's cases (handing it to `started`),
 * resets it before each case and closes it after the last.
 */
export function useHarness<H extends { reset(): void; close(): Promise<void> }>(fixture: { start(): Promise<H> }, started: (harness: H) => void): void {
  let harness: H | undefined;
  beforeAll(async () => {
    harness = await fixture.start();
    started(harness);
  });
  afterAll(async () => {
    await harness?.close();
  });
  beforeEach(() => harness!.reset());
}

/** The same credentials with some secrets replaced: ones the provider refuses, or another account's. */
export function withSecrets<C extends { settings: Record<string, string>; secrets: Record<string, string> }>(credentials: C, secrets: Record<string, string>): C {
  return { ...credentials, secrets: { ...credentials.secrets, ...secrets } };
}

/** The faults of an HTTP provider: 429 with Retry-After: 2, and 503. */
export const HTTP_FAULTS: ChannelHarness['faults'] = { rateLimited: { kind: 'status', status: 429, retryAfter: 2 }, unavailable: { kind: 'status', status: 503 } };

/** The newest request the receiver got, or an error naming what was expected. */
export function lastReceived(receiver: WebhookReceiver, what: string): RawWebhook {
  const last = receiver.received.at(-1);
  if (!last) throw new Error(`the simulator delivered no ${what}`);
  return rawWebhook(last, receiver.url);
}

/** The store delivery the receiver got last; `resend` asks the simulator to deliver it again. */
export function lastDelivery(receiver: WebhookReceiver, topic: string, resend: () => Promise<unknown>): StoreDelivery {
  return {
    webhook: lastReceived(receiver, topic),
    async redeliver() {
      await resend();
      return lastReceived(receiver, `${topic} redelivery`);
    },
  };
}

/** Waits until the receiver has a request matching the predicate (webhooks may arrive after a delay). */
export async function waitForWebhook(receiver: WebhookReceiver, what: string, matches: (body: string) => boolean, timeoutMs = 3000): Promise<RawWebhook> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = receiver.received.find((r) => matches(r.body.toString('utf8')));
    if (found) return rawWebhook(found, receiver.url);
    if (Date.now() > deadline) throw new Error(`no ${what} arrived within ${timeoutMs} ms (${receiver.received.length} other webhooks did)`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The same bytes with one alphanumeric byte near the middle changed (kept alphanumeric so the body still parses). */
export function tamperOneByte(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  const middle = Math.floor(copy.length / 2);
  for (let distance = 0; distance < copy.length; distance++) {
    for (const index of [middle + distance, middle - distance]) {
      const byte = copy[index];
      if (byte === undefined || insideEscape(copy, index)) continue;
      const changed = changedAlphanumeric(byte);
      if (changed === null) continue;
      copy[index] = changed;
      return copy;
    }
  }
  throw new Error('body has no alphanumeric byte to change');
}

/** Inside %XX or \uXXXX: changing the case of a hex digit there would decode to the same text. */
function insideEscape(body: Buffer, index: number): boolean {
  const before = body.subarray(Math.max(0, index - 5), index).toString('latin1');
  return /%[0-9A-Fa-f]?$/.test(before) || /\\u[0-9A-Fa-f]{0,3}$/.test(before);
}

function changedAlphanumeric(byte: number): number | null {
  const c = String.fromCharCode(byte);
  if (c >= '0' && c <= '9') return 48 + ((byte - 48 + 1) % 10);
  // Swapping case changes the byte; signatures are case-sensitive over bytes and decoded form values alike.
  if (c >= 'a' && c <= 'z') return byte - 32;
  if (c >= 'A' && c <= 'Z') return byte + 32;
  return null;
}
