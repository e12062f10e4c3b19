// Conversations in chat: the merchant's flow modules and chat settings, and the per-customer conversation
// state the engine keeps between messages.

/** What a button does when tapped (seed 000: "On click"). */
export type ButtonAction =
  | { kind: 'module'; moduleId: string }
  | { kind: 'url'; url: string }
  | { kind: 'action'; action: IntegratedAction };

export const integratedActions = [
  'link_account',
  'unlink_account',
  'my_orders',
  'loyalty_join',
  'loyalty_balance',
  'loyalty_claim',
  'loyalty_prizes',
  'talk_to_agent',
] as const;
export type IntegratedAction = (typeof integratedActions)[number];

export interface FlowButton {
  /** Stable within the module; taps come back as "m:<module id>:<button id>". */
  id: string;
  title: string;
  onClick: ButtonAction;
}

/** A flow module: a message with buttons (seed 000, "Chat > Flows"). */
export interface FlowModule {
  id: string;
  workspaceId: string;
  name: string;
  text: string;
  buttons: FlowButton[];
  /** Whole-message keywords (case-insensitive) that open this module. */
  keywords: string[];
  createdAt: number;
  updatedAt: number;
}

export interface LoyaltyPrize {
  id: string;
  name: string;
  cost: number;
  /** What the customer gets: a coupon issued through the store's API, or a fixed code. */
  reward: { kind: 'store_coupon'; value: string } | { kind: 'code'; code: string };
}

export interface ChatSettings {
  /** The module shown to a new customer and on "menu"; null: a plain greeting with the integrated actions. */
  welcomeModuleId: string | null;
  /** Seed 002, "Manage the unexpected": a message when a reply is not one of the expected answers. */
  incorrectReply: { enabled: boolean; text: string };
  /**
   * Text the bot does not understand (outside a flow, not a keyword or greeting): "menu" answers with the welcome
   * menu, so the customer always sees what they can do; "nothing" leaves it to the incorrect-reply message.
   */
  unknownText: 'menu' | 'nothing';
  /** Unexpected replies in a row before the conversation goes to an agent. */
  escalateAfter: number;
  /** How long a half-finished step (waiting for a code, an e-mail...) is kept. */
  stateTtlMinutes: number;
  linking: {
    storeConnectionId: string | null;
    verifyBy: 'sms' | 'email';
    termsUrl: string | null;
  };
  loyalty: {
    enabled: boolean;
    /** Points per currency unit of the order total (decimal, e.g. "1" or "0.1"). */
    pointsPerUnit: string;
    signupBonus: number;
    prizes: LoyaltyPrize[];
  };
}

export const defaultChatSettings = (): ChatSettings => ({
  welcomeModuleId: null,
  incorrectReply: { enabled: false, text: 'Sorry, I did not understand that. Please choose one of the options.' },
  unknownText: 'menu',
  escalateAfter: 3,
  stateTtlMinutes: 30,
  linking: { storeConnectionId: null, verifyBy: 'sms', termsUrl: null },
  loyalty: { enabled: false, pointsPerUnit: '1', signupBonus: 0, prizes: [] },
});

/** Where a conversation stands inside a multi-step flow, and the choices last offered (answerable by number). */
export type ConversationState = FlowStep & { choices?: Array<{ id: string; title: string }> };

export type FlowStep =
  | { flow: 'link'; step: 'terms' }
  | { flow: 'link'; step: 'contact' }
  | { flow: 'link'; step: 'code'; codeId: string; target: string; kind: 'email' | 'phone' }
  | { flow: 'link'; step: 'create_account'; target: string; kind: 'email' | 'phone' }
  | { flow: 'loyalty'; step: 'email'; claim?: string }
  | { flow: 'loyalty'; step: 'claim_order' }
  | { flow: 'ndr'; step: 'choose'; caseId: string }
  | { flow: 'ndr'; step: 'date' | 'address' | 'phone'; caseId: string }
  | { flow: 'menu' };

export type ConversationMode = 'bot' | 'agent';

export interface Conversation {
  id: string;
  workspaceId: string;
  channel: string;
  channelAccountId: string;
  /** The customer's address on the channel: WhatsApp/SMS number digits, LINE user id, PSID, e-mail. */
  address: string;
  customerId: string | null;
  mode: ConversationMode;
  state: ConversationState | null;
  stateExpiresAt: number | null;
  unexpectedCount: number;
  /** Optimistic concurrency: an update names the version it read. */
  version: number;
  lastInboundAt: number | null;
  handedOverAt: number | null;
  handoverReason: string | null;
  /** The number of replies the engine has queued in this conversation: each reply's key carries its number. */
  replySeq: number;
  createdAt: number;
  updatedAt: number;
}

export type ConversationPatch = Partial<Pick<Conversation, 'customerId' | 'mode' | 'state' | 'stateExpiresAt' | 'unexpectedCount' | 'lastInboundAt' | 'handedOverAt' | 'handoverReason' | 'replySeq'>>;

export interface VerificationCode {
  id: string;
  conversationId: string;
  purpose: string;
  target: string;
  codeHash: string;
  attempts: number;
  sends: number;
  expiresAt: number;
  consumedAt: number | null;
  createdAt: number;
}

export interface NdrCase {
  id: string;
  workspaceId: string;
  orderId: string;
  storeConnectionId: string;
  channelAccountId: string;
  address: string;
  trackingId: string | null;
  status: 'open' | 'resolved' | 'closed';
  action: string | null;
  reference: string | null;
  createdAt: number;
  resolvedAt: number | null;
}

export interface LoyaltyMember {
  customerId: string;
  email: string;
  balance: number;
  joinedAt: number;
}

export interface LedgerEntry {
  id: string;
  customerId: string;
  delta: number;
  balanceAfter: number;
  reason: 'signup_bonus' | 'order_claim' | 'redeem' | 'redeem_cancelled' | 'refund_reversal' | 'adjustment';
  reference: string | null;
  details: Record<string, unknown>;
  createdAt: number;
}
