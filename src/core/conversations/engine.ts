// The conversation engine: reacts to every inbound chat message (text, button taps, postbacks, deep links) on
// every channel, runs the merchant's flow modules and the integrated actions (account linking, order history,
// failed delivery, loyalty, talk to an agent), and keeps each customer's state between messages.
//
// The turns of one conversation run one at a time, in a serial lane (see handleInbound). A turn is written in one
// transaction: its state (with an optimistic version check, for the rare change made meanwhile by an agent through
// the API: the turn then runs again), its replies (numbered per conversation, sent in that order), and the
// inbound message marked handled.
import type { JobContext } from '../jobs.js';
import { MissingRecordError, PermanentJobError, RetryLaterError } from '../jobs.js';
import type { ChatButton, StoredContent } from '../channels/ports.js';
import type { ChannelAccount } from '../connections/repo.js';
import type { IdentityKind } from '../customers/repo.js';
import type { Message } from '../notifications/repo.js';
import type { Repos } from '../repos.js';
import { identityKinds } from '../customers/repo.js';
import { optKeyword } from '../notifications/opt-outs.js';
import { channelLabel } from '../notifications/labels.js';
import { channelProfile } from '../channels/profile.js';
import type { ChatSettings, Conversation, FlowModule, IntegratedAction } from './model.js';
import { defaultChatSettings, integratedActions } from './model.js';
import { Turn } from './turn.js';
import { chatIdentityScope } from './identity.js';
import type { TurnInput } from './turn.js';
import { LinkingFlow } from './linking.js';
import { NdrFlow } from './ndr.js';
import { LoyaltyFlow } from './loyalty-flow.js';
import type { EngineDeps } from './deps.js';
import { isAgentRequest } from './agent-words.js';

const GREETINGS = new Set(['hi', 'hello', 'hey', 'menu', 'start', 'help', '你好', '嗨', '選單', 'cześć', 'dzień dobry', 'menu główne']);

/** Labels of the integrated actions, for the default menu. */
const actionTitles: Record<IntegratedAction, string> = {
  link_account: 'Link my account',
  unlink_account: 'Unlink my account',
  my_orders: 'My orders',
  loyalty_join: 'Join rewards',
  loyalty_balance: 'My points',
  loyalty_claim: 'Claim points',
  loyalty_prizes: 'Prizes',
  talk_to_agent: 'Talk to an agent',
};


/** How long a job holds a conversation's lane without renewing it (it renews before every turn). */
const LANE_MS = 60_000;

/**
 * How long the lane waits for an earlier webhook of the same account to be processed (they are processed side by
 * side, and under load one may lag), and how far back it looks: a webhook failing for longer holds nobody up.
 */
const ORDER_WAIT_MS = 5_000;
const ORDER_WAIT_WINDOW_MS = 10_000;

const replyKey = (conversationId: string, n: number): string => `reply:${conversationId}:${n}`;

export class ConversationEngine {
  /** Turns that lost a race with another change of their conversation and ran again (see the lane). */
  conflicts = 0;
  private readonly linking: LinkingFlow;
  private readonly ndr: NdrFlow;
  private readonly loyaltyFlow: LoyaltyFlow;

  private readonly now: () => number;

  constructor(private readonly deps: EngineDeps) {
    this.now = deps.now ?? Date.now;
    this.linking = new LinkingFlow(deps);
    this.ndr = new NdrFlow(deps);
    this.loyaltyFlow = new LoyaltyFlow(deps);
  }

  /**
   * Job handler for conversation.turn. The turns of one conversation run in a serial lane: the job that takes
   * the lane answers every pending message of the conversation in order (its own and those that arrive
   * meanwhile); a job that finds the lane taken leaves its message to the holder. A holder that dies keeps the
   * lane until LANE_MS pass, or until its own job runs again (it holds the lane by the job's id).
   */
  async handleInbound(payload: { messageId: string }, ctx: JobContext): Promise<void> {
    const workspaceId = ctx.workspaceId;
    if (!workspaceId) throw new PermanentJobError('conversation.turn needs a workspace');
    const { repos } = this.deps.uow;
    const message = await repos.messages.get(workspaceId, payload.messageId);
    if (!message) throw new MissingRecordError('message', payload.messageId);
    if (message.direction !== 'inbound' || !message.channelAccountId || !message.recipient) return;
    const account = await repos.channelAccounts.get(workspaceId, message.channelAccountId);
    if (!account) return;
    const conversation = await repos.conversations.getOrCreate(workspaceId, { channel: account.channel, channelAccountId: account.id, address: message.recipient });
    for (;;) {
      // Nothing pending (this message was answered by the lane's holder): done.
      if ((await repos.conversations.pendingInbound(workspaceId, account.id, conversation.address, 1)).length === 0) return;
      if (!(await repos.conversations.acquireLane(workspaceId, conversation.id, ctx.id, Date.now() + LANE_MS, Date.now()))) return;
      try {
        await this.drain(account, conversation.id, conversation.address, ctx);
      } finally {
        await repos.conversations.releaseLane(workspaceId, conversation.id, ctx.id);
      }
      // A message recorded while the lane was being released found it taken: look again, now that it is free.
    }
  }

  /** Answers the conversation's pending messages one by one, oldest first, while this job holds the lane. */
  private async drain(account: ChannelAccount, conversationId: string, address: string, ctx: JobContext): Promise<void> {
    const workspaceId = account.workspaceId;
    const { repos } = this.deps.uow;
    let waitingFor: string | null = null;
    let waitedMs = 0;
    for (;;) {
      const [next] = await repos.conversations.pendingInbound(workspaceId, account.id, address, 1);
      if (!next) return;
      // A webhook received before this message's and still being processed may hold an earlier message of this
      // chat: give it a moment to be recorded, so answers keep the order the customer wrote in.
      if (waitingFor !== next.id) [waitingFor, waitedMs] = [next.id, 0];
      if (waitedMs < ORDER_WAIT_MS && (await repos.conversations.earlierWebhookPending(workspaceId, account.id, next.receivedAt, ORDER_WAIT_WINDOW_MS))) {
        await new Promise((r) => setTimeout(r, 20));
        waitedMs += 20;
        continue;
      }
      if (!(await repos.conversations.acquireLane(workspaceId, conversationId, ctx.id, Date.now() + LANE_MS, Date.now()))) return;
      const message = (await repos.messages.get(workspaceId, next.id))!;
      try {
        await this.turn(account, message);
      } catch (err) {
        if (ctx.attempt < ctx.maxAttempts) throw err;
        // The last attempt: the message that keeps failing is set aside so the ones after it get answered.
        this.deps.log.error({ err, workspaceId, messageId: message.id }, 'a conversation turn kept failing; the message is left unanswered');
        await repos.messages.update(workspaceId, message.id, { status: 'failed', reason: `the conversation could not answer it: ${err instanceof Error ? err.message : String(err)}`, conversationId });
      }
    }
  }

  private async turn(account: ChannelAccount, message: Message): Promise<void> {
    const workspaceId = account.workspaceId;
    const { repos } = this.deps.uow;
    const settings = (await repos.chatSettings.get(workspaceId)) ?? defaultChatSettings();
    const conversation = await repos.conversations.getOrCreate(workspaceId, { channel: account.channel, channelAccountId: account.id, address: message.recipient! });
    const content = (message.content ?? {}) as { text?: string | null; payload?: string | null; replyToken?: string | null; referral?: string | null; event?: string };
    const input: TurnInput = {
      messageId: message.id,
      text: content.text?.trim() || null,
      payload: content.payload ?? null,
      replyToken: content.replyToken ?? null,
      referral: content.referral ?? null,
      receivedAt: message.createdAt,
      event: content.event === 'follow' ? 'follow' : null,
    };
    const turn = new Turn(conversation, input, settings, this.now());
    // A tapped survey button is answered whoever has the chat (the bot or an agent), and goes no further.
    const surveyReply = input.payload?.startsWith('csat:') ? ((await this.deps.inbox?.surveyAnswer?.(workspaceId, conversation.id, input.payload)) ?? null) : null;
    if (surveyReply) {
      turn.surveyAnswer = true;
      turn.say(surveyReply);
    }
    // STOP / START were applied when the message was recorded; they are not conversation input.
    else if (!optKeyword(input.text, account.channel) && conversation.mode === 'bot') await this.dispatch(turn, account);
    await this.commit(turn, account, message);
  }

  private async dispatch(turn: Turn, account: ChannelAccount): Promise<void> {
    const input = turn.input;
    // A new (or returning) follower gets the merchant's welcome module, and nothing when none is set.
    if (input.event === 'follow') return this.followed(turn);
    const payload = input.payload ?? this.choiceFromText(turn);
    const text = input.text ?? '';
    if (payload) return this.onPayload(turn, account, payload);
    const claimRef = (input.referral ?? '').match(/^claim[-_:]?(.+)$/i)?.[1] ?? text.match(/^claim\s*[:#-]?\s*#?(\S+)$/i)?.[1];
    if (claimRef) return this.loyaltyFlow.claim(turn, account, claimRef);
    const state = turn.state;
    if (state && state.flow !== 'menu') {
      if (state.flow === 'link') return this.linking.continue(turn, account, state);
      if (state.flow === 'loyalty') return this.loyaltyFlow.continue(turn, account, state);
      if (state.flow === 'ndr') return this.ndr.continue(turn, account, state);
    }
    if (channelProfile(account.channel)?.failedDeliveryAnswers && (await this.ndr.answersOpenCase(turn, account))) return;
    if (isAgentRequest(text)) return this.action(turn, account, 'talk_to_agent');
    const byKeyword = await this.moduleByKeyword(turn, text);
    if (byKeyword) return this.showModule(turn, byKeyword);
    if (GREETINGS.has(text.toLowerCase()) || turn.conversation.lastInboundAt == null) return this.welcome(turn, account);
    return this.unexpected(turn, account, { offerMenu: turn.settings.unknownText === 'menu' });
  }

  /** A number or a title typed back selects one of the choices offered last. */
  private choiceFromText(turn: Turn): string | null {
    const choices = turn.state?.choices ?? [];
    const text = (turn.input.text ?? '').trim().toLowerCase();
    if (!text || choices.length === 0) return null;
    const n = /^\d{1,2}$/.test(text) ? Number(text) : NaN;
    if (n >= 1 && n <= choices.length) return choices[n - 1]!.id;
    return choices.find((c) => c.title.toLowerCase() === text)?.id ?? null;
  }

  private async onPayload(turn: Turn, account: ChannelAccount, payload: string): Promise<void> {
    const [kind, ...rest] = payload.split(':');
    if (kind === 'm') {
      const [moduleId, buttonId] = rest;
      const module = moduleId ? await this.deps.uow.repos.flowModules.get(turn.conversation.workspaceId, moduleId) : null;
      const button = module?.buttons.find((b) => b.id === buttonId);
      if (!module || !button) return this.unexpected(turn, account);
      if (button.onClick.kind === 'module') {
        const next = await this.deps.uow.repos.flowModules.get(turn.conversation.workspaceId, button.onClick.moduleId);
        return next ? this.showModule(turn, next) : this.welcome(turn, account);
      }
      if (button.onClick.kind === 'url') return turn.say(button.title, { links: [{ title: button.title, url: button.onClick.url }] });
      return this.action(turn, account, button.onClick.action);
    }
    if (kind === 'o' && rest[0]) {
      // A persistent-menu item that opens a module.
      const module = await this.deps.uow.repos.flowModules.get(turn.conversation.workspaceId, rest[0]);
      return module ? this.showModule(turn, module) : this.welcome(turn, account);
    }
    if (payload === 'GET_STARTED') return this.welcome(turn, account);
    if (kind === 'a' && (integratedActions as readonly string[]).includes(rest[0] ?? '')) return this.action(turn, account, rest[0] as IntegratedAction);
    if (kind === 'link') return this.linking.onPayload(turn, account, rest.join(':'));
    if (kind === 'ndr') return this.ndr.onPayload(turn, account, rest.join(':'));
    if (kind === 'loyalty') return this.loyaltyFlow.onPayload(turn, account, rest.join(':'));
    if (kind === 'ref' && rest.length) return this.dispatch(withReferral(turn, rest.join(':')), account);
    // Template quick-reply buttons carry the merchant's own payloads: the failed-delivery answers among them.
    if (channelProfile(account.channel)?.failedDeliveryAnswers && (await this.ndr.answersOpenCase(turn, account, payload))) return;
    return this.unexpected(turn, account);
  }

  async action(turn: Turn, account: ChannelAccount, action: IntegratedAction): Promise<void> {
    switch (action) {
      case 'link_account':
        return this.linking.start(turn, account);
      case 'unlink_account':
        return this.linking.unlink(turn, account);
      case 'my_orders':
        return this.myOrders(turn, account);
      case 'loyalty_join':
      case 'loyalty_balance':
      case 'loyalty_claim':
      case 'loyalty_prizes':
        return this.loyaltyFlow.start(turn, account, action);
      case 'talk_to_agent':
        turn.handover = 'the customer asked for an agent';
        turn.setState(null);
        return turn.say('Connecting you with our team. An agent will reply here shortly.');
    }
  }

  private async myOrders(turn: Turn, account: ChannelAccount): Promise<void> {
    const customerId = turn.conversation.customerId;
    if (!customerId) {
      return turn.say('Link your store account first to see your orders.', { buttons: [{ id: 'a:link_account', title: actionTitles.link_account }] });
    }
    const histories = await this.deps.history.forCustomer(turn.conversation.workspaceId, customerId);
    const history = histories[0];
    if (!history) return turn.say('Your account is not linked to a store yet.', { buttons: [{ id: 'a:link_account', title: actionTitles.link_account }] });
    const links = history.storeUrl ? [{ title: 'Older orders', url: history.storeUrl }] : [];
    if (history.orders.length === 0) return turn.say(`You have no orders in the last ${history.windowDays} days.`, { links });
    const cards = history.orders.map((o) => ({
      title: `Order ${o.name}${o.fulfillmentStatus ? ` · ${o.fulfillmentStatus}` : o.financialStatus ? ` · ${o.financialStatus}` : ''}`,
      subtitle: [o.createdAt?.slice(0, 10), o.total ? `${o.total.amount} ${o.total.currency}` : null].filter(Boolean).join(' · ') || '—',
      url: o.statusUrl,
      linkTitle: 'View order',
    }));
    turn.say(`Your orders from the last ${history.windowDays} days:`, { cards, links });
    void account;
  }

  async showModule(turn: Turn, module: FlowModule): Promise<void> {
    const buttons: ChatButton[] = module.buttons.filter((b) => b.onClick.kind !== 'url').map((b) => ({ id: `m:${module.id}:${b.id}`, title: b.title }));
    const links = module.buttons.flatMap((b) => (b.onClick.kind === 'url' ? [{ title: b.title, url: b.onClick.url }] : []));
    turn.setState({ flow: 'menu' });
    turn.say(module.text, { buttons, links });
  }

  private async welcome(turn: Turn, account: ChannelAccount): Promise<void> {
    const settings = turn.settings;
    if (settings.welcomeModuleId) {
      const module = await this.deps.uow.repos.flowModules.get(turn.conversation.workspaceId, settings.welcomeModuleId);
      if (module) return this.showModule(turn, module);
    }
    const actions: IntegratedAction[] = [turn.conversation.customerId ? 'my_orders' : 'link_account', ...(settings.loyalty.enabled ? (['loyalty_balance'] as const) : []), 'talk_to_agent'];
    turn.setState({ flow: 'menu' });
    turn.say(`Hi! How can we help you on ${channelLabel(account.channel)} today?`, { buttons: actions.map((a) => ({ id: `a:${a}`, title: actionTitles[a] })) });
  }

  private async followed(turn: Turn): Promise<void> {
    const id = turn.settings.welcomeModuleId;
    const module = id ? await this.deps.uow.repos.flowModules.get(turn.conversation.workspaceId, id) : null;
    if (module) await this.showModule(turn, module);
  }

  private async moduleByKeyword(turn: Turn, text: string): Promise<FlowModule | null> {
    if (!text) return null;
    const wanted = text.toLowerCase();
    const modules = await this.deps.uow.repos.flowModules.list(turn.conversation.workspaceId);
    return modules.find((m) => m.keywords.some((k) => k.toLowerCase() === wanted)) ?? null;
  }

  /**
   * Seed 002, "Manage the unexpected": the merchant's message when it is on; an agent after repeated misses.
   * Free text the bot does not understand gets the welcome menu too when the workspace wants it (the default).
   */
  async unexpected(turn: Turn, account: ChannelAccount, opts: { offerMenu?: boolean } = {}): Promise<void> {
    turn.unexpected();
    const count = turn.conversation.unexpectedCount + 1;
    if (count >= turn.settings.escalateAfter) {
      turn.handover = `${count} unexpected replies in a row`;
      turn.setState(null);
      return turn.say('Let me get a person to help you. An agent will reply here shortly.');
    }
    if (opts.offerMenu) {
      if (turn.settings.incorrectReply.enabled) turn.say(turn.settings.incorrectReply.text);
      return this.welcome(turn, account);
    }
    if (turn.settings.incorrectReply.enabled) {
      const choices = turn.state?.choices ?? [];
      return turn.say(turn.settings.incorrectReply.text, { buttons: choices });
    }
    void account;
  }

  /** Writes the turn: state, replies, actions on orders, hand-over, and marks the inbound message handled. */
  private async commit(turn: Turn, account: ChannelAccount, inbound: Message): Promise<void> {
    const c = turn.conversation;
    const patch = { ...turn.patch, lastInboundAt: turn.input.receivedAt, unexpectedCount: turn.expected ? 0 : c.unexpectedCount + 1 };
    const nextState = patch.state !== undefined ? patch.state : turn.state;
    if (turn.offered.length && nextState) patch.state = { ...nextState, choices: turn.offered.map((b) => ({ id: b.id, title: b.title })) };
    else if (turn.offered.length) patch.state = { flow: 'menu', choices: turn.offered.map((b) => ({ id: b.id, title: b.title })) };
    if (patch.state && patch.stateExpiresAt === undefined) patch.stateExpiresAt = turn.now + turn.settings.stateTtlMinutes * 60_000;
    if (turn.handover) Object.assign(patch, { mode: 'agent', handedOverAt: turn.now, handoverReason: turn.handover, unexpectedCount: 0, state: null, stateExpiresAt: null });
    // Replies are numbered across the conversation (reply:<conversation>:<n>): the sender queues reply n+1 when
    // reply n is settled, so the answers of one turn, and of successive turns, go out in order.
    if (turn.replies.length) patch.replySeq = c.replySeq + turn.replies.length;
    await this.deps.uow.transaction(async (tx) => {
      if (!(await tx.conversations.update(c.workspaceId, c.id, c.version, patch))) {
        this.conflicts += 1;
        throw new RetryLaterError('the conversation changed during this turn; running it again');
      }
      await tx.messages.update(c.workspaceId, inbound.id, { status: 'read', conversationId: c.id });
      const kind = account.channel as IdentityKind;
      if ((identityKinds as readonly string[]).includes(kind)) await tx.customers.touchIdentity(c.workspaceId, kind, chatIdentityScope(account), c.address, turn.input.receivedAt);
      // The previous reply, while not yet settled (queued, or sending), queues this turn's first one when its outcome
      // is recorded: the sender records an outcome and looks for the next reply in one transaction, which waits for
      // this one on the previous reply's row lock. Only after that can this turn queue its first reply itself, so
      // exactly one of the two queues it.
      const previous = c.replySeq > 0 ? await tx.conversations.lockedReplyStatus(c.workspaceId, replyKey(c.id, c.replySeq)) : null;
      const previousUnsettled = previous === 'queued' || previous === 'sending';
      let n = 0;
      const replyToken = channelProfile(account.channel)?.replyToken ? turn.input.replyToken : null;
      for (const reply of turn.replies) {
        n += 1;
        const content = replyToken && n === 1 ? { ...reply.content, replyToken } : reply.content;
        await queueReply(tx, c, account, content, replyKey(c.id, c.replySeq + n), n === 1 && !previousUnsettled);
      }
      for (const activity of turn.activities) await tx.activities.add(c.workspaceId, activity);
      // Chats with an agent live in the support inbox: the hand-over opens a ticket, later messages join it.
      const inbox = this.deps.inbox;
      if (inbox && turn.handover) await inbox.openForChat(tx, c, turn.handover, turn.handoverOrderId);
      if (inbox && !turn.surveyAnswer && (turn.handover || c.mode === 'agent')) {
        // A question in the customer's words names the ticket; "agent" or a tapped button does not.
        const said = turn.input.text?.trim() && !turn.input.payload && !isAgentRequest(turn.input.text) ? turn.input.text.trim() : null;
        await inbox.chatMessage(tx, c, inbound.id, turn.input.text ?? turn.input.payload, turn.input.receivedAt, said);
      }
      for (const event of this.linking.pendingEvents(turn)) await this.deps.planner.recordEvent(tx, c.workspaceId, event.storeConnectionId, event.platform, event.event, event.brand);
    });
  }
}

/** Queues a reply in the conversation; the same key twice (a re-run turn) queues it once. */
export async function queueReply(tx: Repos, c: Conversation, account: ChannelAccount, content: StoredContent, key: string, sendNow = true): Promise<string | null> {
  const message = await tx.messages.insertIfNew(c.workspaceId, {
    direction: 'outbound',
    channel: account.channel,
    channelAccountId: account.id,
    eventId: null,
    orderId: null,
    idempotencyKey: key,
    recipient: c.address,
    templateName: null,
    category: 'service',
    content,
    status: 'queued',
    reason: null,
    conversationId: c.id,
  });
  if (!message) return null;
  if (sendNow) await tx.jobs.enqueue({ type: 'message.send', workspaceId: c.workspaceId, payload: { messageId: message.id }, rateLimit: { key: account.id, perSecond: account.rateLimitPerSecond } });
  return message.id;
}

function withReferral(turn: Turn, referral: string): Turn {
  const next = new Turn(turn.conversation, { ...turn.input, payload: null, referral }, turn.settings, turn.now);
  // The outer turn is the one committed: point its collections at the inner one's.
  Object.defineProperty(next, 'replies', { value: turn.replies });
  Object.defineProperty(next, 'activities', { value: turn.activities });
  return next;
}

export { actionTitles };
export type { ChatSettings, EngineDeps };
