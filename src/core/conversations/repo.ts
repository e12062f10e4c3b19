// The persistence port of chat conversations: conversations and their lanes, flow modules, chat settings,
// verification codes, delivery-failure (NDR) cases and loyalty.
import type { ChatSettings, Conversation, ConversationMode, ConversationPatch, FlowModule, LedgerEntry, LoyaltyMember, NdrCase, VerificationCode } from './model.js';
import type { Page } from '../page.js';

export interface ConversationsRepo {
  /** The conversation of an address on an account, created on first contact. */
  getOrCreate(workspaceId: string, input: { channel: string; channelAccountId: string; address: string }): Promise<Conversation>;
  get(workspaceId: string, id: string): Promise<Conversation | null>;
  /** Applies the patch if the conversation is still at `version`; false when someone else changed it first. */
  update(workspaceId: string, id: string, version: number, patch: ConversationPatch): Promise<boolean>;
  list(workspaceId: string, opts: { mode?: ConversationMode | null; limit: number; cursor: string | null }): Promise<Page<Conversation>>;
  /** Takes the conversation's serial lane until `until` when it is free, expired, or held by `holder` already. */
  acquireLane(workspaceId: string, id: string, holder: string, until: number, now: number): Promise<boolean>;
  releaseLane(workspaceId: string, id: string, holder: string): Promise<void>;
  /**
   * Inbound messages of the conversation's address not answered yet, in the order they arrived: by the time
   * their webhook was received and their place in it, then by when they were recorded.
   */
  pendingInbound(workspaceId: string, channelAccountId: string, address: string, limit: number): Promise<Array<{ id: string; receivedAt: number }>>;
  /** True when a webhook to this channel account received within `windowMs` before `before` is not processed yet. */
  earlierWebhookPending(workspaceId: string, channelAccountId: string, before: number, windowMs: number): Promise<boolean>;
  /**
   * The status of the outbound message with this key, read under a row lock (so a send settling it at the same
   * time either finishes first or sees what this transaction writes next); null when there is none.
   */
  lockedReplyStatus(workspaceId: string, idempotencyKey: string): Promise<string | null>;
}

export interface FlowModulesRepo {
  create(workspaceId: string, input: Omit<FlowModule, 'id' | 'workspaceId' | 'createdAt' | 'updatedAt'>): Promise<FlowModule>;
  get(workspaceId: string, id: string): Promise<FlowModule | null>;
  list(workspaceId: string): Promise<FlowModule[]>;
  update(workspaceId: string, id: string, input: Omit<FlowModule, 'id' | 'workspaceId' | 'createdAt' | 'updatedAt'>): Promise<FlowModule | null>;
  remove(workspaceId: string, id: string): Promise<boolean>;
}

export interface ChatSettingsRepo {
  get(workspaceId: string): Promise<ChatSettings | null>;
  set(workspaceId: string, settings: ChatSettings): Promise<void>;
}

export interface VerificationCodesRepo {
  create(workspaceId: string, input: Omit<VerificationCode, 'id' | 'consumedAt'>): Promise<VerificationCode>;
  get(workspaceId: string, id: string): Promise<VerificationCode | null>;
  update(workspaceId: string, id: string, patch: Partial<Pick<VerificationCode, 'attempts' | 'sends' | 'consumedAt' | 'codeHash' | 'expiresAt'>>): Promise<void>;
  /** The newest unused code of a conversation for this purpose and destination, created since `since`. */
  openFor(workspaceId: string, conversationId: string, purpose: string, target: string, since: number): Promise<VerificationCode | null>;
  /** The phone numbers and e-mail addresses codes were sent to from one chat (the sandbox phone shows them). */
  targetsForChat(workspaceId: string, channelAccountId: string, address: string): Promise<string[]>;
  /** Counts a wrong try, atomically; the tries after it, or null when `max` tries were used already. */
  addAttempt(workspaceId: string, id: string, max: number): Promise<number | null>;
  /** Logs a code sent; false when this trigger (an inbound message) sent one already. */
  logSend(workspaceId: string, input: { conversationId: string; codeId: string; destinationHash: string; triggerKey: string; sentAt: number }): Promise<boolean>;
  /** Sends logged since `since`, to a destination or in a conversation, with the time of the oldest of them. */
  sendsSince(workspaceId: string, by: { destinationHash: string } | { conversationId: string }, since: number): Promise<{ count: number; oldest: number | null }>;
}

export interface NdrCasesRepo {
  create(workspaceId: string, input: Omit<NdrCase, 'id' | 'workspaceId' | 'status' | 'action' | 'reference' | 'createdAt' | 'resolvedAt'>): Promise<NdrCase>;
  get(workspaceId: string, id: string): Promise<NdrCase | null>;
  /** The newest case for an address on an account, open or not. */
  latestFor(workspaceId: string, channelAccountId: string, address: string): Promise<NdrCase | null>;
  /** Marks an open case resolved; false when it was no longer open (another answer won). */
  resolve(workspaceId: string, id: string, input: { action: string; reference: string | null }): Promise<boolean>;
  /** Opens a resolved case again (the store refused the action). */
  reopen(workspaceId: string, id: string): Promise<void>;
  setReference(workspaceId: string, id: string, reference: string | null): Promise<void>;
  /** Closes the open cases of an order (it moved on: delivered, cancelled, a new attempt). */
  closeForOrder(workspaceId: string, orderId: string): Promise<void>;
}

export interface LoyaltyRepo {
  member(workspaceId: string, customerId: string): Promise<LoyaltyMember | null>;
  memberByEmail(workspaceId: string, email: string): Promise<LoyaltyMember | null>;
  /** False when the customer was a member already. */
  join(workspaceId: string, customerId: string, email: string): Promise<boolean>;
  /**
   * Changes a balance and appends the ledger entry, atomically in the caller's transaction. With
   * `requireCover`, the change only happens when the balance stays at or above zero; null when it would not.
   */
  apply(workspaceId: string, customerId: string, entry: { delta: number; reason: LedgerEntry['reason']; reference: string | null; details: Record<string, unknown>; requireCover?: boolean }): Promise<LedgerEntry | null>;
  ledger(workspaceId: string, customerId: string, limit: number): Promise<LedgerEntry[]>;
  /** Records the claim of an order; false when the order was claimed before (by anyone). */
  claim(workspaceId: string, input: { storeConnectionId: string; orderExternalId: string; customerId: string; points: number }): Promise<boolean>;
  /** Marks a claim reversed (refund) and returns it; null when there was none or it was reversed already. */
  reverseClaim(workspaceId: string, storeConnectionId: string, orderExternalId: string): Promise<{ customerId: string; points: number } | null>;
  /** Moves a membership (balance, ledger, claims) to another customer who is not a member; false when it could not. */
  transfer(workspaceId: string, fromCustomerId: string, toCustomerId: string): Promise<boolean>;
}

/** The repositories of this module, as the unit of work hands them out. */
export interface ConversationRepos {
  conversations: ConversationsRepo;
  flowModules: FlowModulesRepo;
  chatSettings: ChatSettingsRepo;
  verificationCodes: VerificationCodesRepo;
  ndrCases: NdrCasesRepo;
  loyalty: LoyaltyRepo;
}
