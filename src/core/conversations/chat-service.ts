// What merchants and agents do with conversations through the API: flow modules, chat settings (linking,
// loyalty, the unexpected), persistent menus, and the agent inbox (hand-over, replies, release).
import { AppError, ProviderError, invalidField, notFound } from '../errors.js';
import type { ChatMenu, StoredContent } from '../channels/ports.js';
import type { Providers } from '../providers.js';
import type { Message } from '../notifications/repo.js';
import type { UnitOfWork } from '../repos.js';
import type { ConnectionService } from '../connections/service.js';
import { channelLabel } from '../notifications/labels.js';
import { agentReplyDelivery, messengerTextBody } from '../notifications/policy.js';
import { channelProfile, choicesOnEveryChannel } from '../channels/profile.js';
import type { ChatSettings, Conversation, FlowButton, FlowModule } from './model.js';
import { defaultChatSettings, integratedActions } from './model.js';
import type { LoyaltyService } from './loyalty.js';
import type { InboxHooks } from './deps.js';
import { queueReply } from './engine.js';

// A module's buttons are shown on whichever channel the customer writes from: they fit every channel.
const MAX_BUTTONS = choicesOnEveryChannel.max;
const MAX_TITLE = choicesOnEveryChannel.titleMax;
const labels = (channels: Array<{ label: string }>): string => channels.map((c) => c.label).join(', ').replace(/, ([^,]*)$/, ' and $1');

export type ModuleInput = Pick<FlowModule, 'name' | 'text' | 'buttons' | 'keywords'>;

export type MenuItemInput = { title: string; moduleId: string } | { title: string; action: string } | { title: string; url: string };

export class ChatService {
  /** Set once the inbox exists: taking a conversation over opens its ticket. */
  inbox: InboxHooks | null = null;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly providers: Providers,
    private readonly connections: ConnectionService,
    private readonly loyalty: LoyaltyService,
  ) {}

  // ---- flow modules

  async createModule(workspaceId: string, input: ModuleInput): Promise<FlowModule> {
    await this.validateModule(workspaceId, input, null);
    try {
      return await this.uow.repos.flowModules.create(workspaceId, input);
    } catch (err) {
      if (String(err).match(/unique|duplicate/i)) throw new AppError('conflict', `a module named ${input.name} already exists`);
      throw err;
    }
  }

  async updateModule(workspaceId: string, id: string, input: ModuleInput): Promise<FlowModule> {
    if (!(await this.uow.repos.flowModules.get(workspaceId, id))) throw notFound('module', id);
    await this.validateModule(workspaceId, input, id);
    return (await this.uow.repos.flowModules.update(workspaceId, id, input))!;
  }

  async removeModule(workspaceId: string, id: string): Promise<void> {
    const modules = await this.uow.repos.flowModules.list(workspaceId);
    const user = modules.find((m) => m.id !== id && m.buttons.some((b) => b.onClick.kind === 'module' && b.onClick.moduleId === id));
    if (user) throw new AppError('conflict', `module ${user.name} has a button that opens this module; change it first`);
    const settings = await this.settings(workspaceId);
    if (settings.welcomeModuleId === id) throw new AppError('conflict', 'this is the welcome module; choose another one first');
    if (!(await this.uow.repos.flowModules.remove(workspaceId, id))) throw notFound('module', id);
  }

  private async validateModule(workspaceId: string, input: ModuleInput, selfId: string | null): Promise<void> {
    if (input.text.trim() === '') throw invalidField('text', 'must not be empty');
    if (input.buttons.length > MAX_BUTTONS.value) throw invalidField('buttons', `at most ${MAX_BUTTONS.value} buttons (${labels(MAX_BUTTONS.channels)} lists show ${MAX_BUTTONS.value})`);
    const ids = new Set<string>();
    const titles = new Set<string>();
    for (const [i, b] of input.buttons.entries()) {
      const field = `buttons[${i}]`;
      if (!/^[A-Za-z0-9_-]{1,40}$/.test(b.id)) throw invalidField(`${field}.id`, 'must be 1 to 40 letters, digits, _ or -');
      if (ids.has(b.id)) throw invalidField(`${field}.id`, 'must be unique in the module');
      ids.add(b.id);
      if (b.title.trim() === '' || [...b.title].length > MAX_TITLE.value) throw invalidField(`${field}.title`, `must be 1 to ${MAX_TITLE.value} characters (the limit of ${labels(MAX_TITLE.channels)} buttons)`);
      if (titles.has(b.title.toLowerCase())) throw invalidField(`${field}.title`, 'must be different from the other buttons');
      titles.add(b.title.toLowerCase());
      await this.validateClick(workspaceId, b, `${field}.on_click`, selfId);
    }
    for (const [i, k] of input.keywords.entries()) if (k.trim() === '' || k.length > 50) throw invalidField(`keywords[${i}]`, 'must be 1 to 50 characters');
  }

  private async validateClick(workspaceId: string, b: FlowButton, field: string, selfId: string | null): Promise<void> {
    const c = b.onClick;
    if (c.kind === 'url' && !/^https?:\/\/\S+$/.test(c.url)) throw invalidField(`${field}.url`, 'must be an http(s) URL');
    if (c.kind === 'action' && !(integratedActions as readonly string[]).includes(c.action)) throw invalidField(`${field}.action`, `must be one of ${integratedActions.join(', ')}`);
    if (c.kind === 'module' && c.moduleId !== selfId && !(await this.uow.repos.flowModules.get(workspaceId, c.moduleId))) throw invalidField(`${field}.module_id`, `no module ${c.moduleId} in this workspace`);
  }

  // ---- settings

  async settings(workspaceId: string): Promise<ChatSettings> {
    return (await this.uow.repos.chatSettings.get(workspaceId)) ?? defaultChatSettings();
  }

  async updateSettings(workspaceId: string, patch: Partial<ChatSettings>): Promise<ChatSettings> {
    const current = await this.settings(workspaceId);
    const next: ChatSettings = {
      ...current,
      ...patch,
      incorrectReply: { ...current.incorrectReply, ...patch.incorrectReply },
      linking: { ...current.linking, ...patch.linking },
      loyalty: { ...current.loyalty, ...patch.loyalty },
    };
    if (next.welcomeModuleId && !(await this.uow.repos.flowModules.get(workspaceId, next.welcomeModuleId))) throw invalidField('welcome_module_id', `no module ${next.welcomeModuleId} in this workspace`);
    if (next.incorrectReply.text.trim() === '' || next.incorrectReply.text.length > 1000) throw invalidField('incorrect_reply.text', 'must be 1 to 1000 characters');
    if (/<[a-z/][^>]*>/i.test(next.incorrectReply.text)) throw invalidField('incorrect_reply.text', 'must be plain text');
    if (next.linking.storeConnectionId && !(await this.uow.repos.storeConnections.get(workspaceId, next.linking.storeConnectionId))) {
      throw invalidField('linking.store_connection_id', `no store connection ${next.linking.storeConnectionId} in this workspace`);
    }
    if (next.linking.termsUrl && !/^https?:\/\/\S+$/.test(next.linking.termsUrl)) throw invalidField('linking.terms_url', 'must be an http(s) URL');
    await this.loyalty.validateProgramme(workspaceId, next.loyalty, next.linking.storeConnectionId);
    await this.uow.repos.chatSettings.set(workspaceId, next);
    return next;
  }

  // ---- menus

  /** Installs the persistent menu of a LINE or Messenger account; items open a module, run an action or a URL. */
  async setMenu(workspaceId: string, accountId: string, input: { chatBarText: string; items: MenuItemInput[] }): Promise<{ menuId: string | null; items: number }> {
    const account = await this.connections.getChannelAccount(workspaceId, accountId);
    const adapter = this.providers.channel(account.provider);
    if (!adapter?.setMenu) {
      throw invalidField('channel_account_id', `${channelLabel(account.channel)} has no persistent menu; the welcome module's buttons are shown as reply buttons or a list instead`);
    }
    const items: ChatMenu['items'] = [];
    for (const [i, item] of input.items.entries()) {
      if ('url' in item) {
        if (!/^https?:\/\/\S+$/.test(item.url)) throw invalidField(`items[${i}].url`, 'must be an http(s) URL');
        items.push({ title: item.title, url: item.url });
      } else if ('moduleId' in item) {
        if (!(await this.uow.repos.flowModules.get(workspaceId, item.moduleId))) throw invalidField(`items[${i}].module_id`, `no module ${item.moduleId} in this workspace`);
        items.push({ title: item.title, payload: `o:${item.moduleId}` });
      } else {
        if (!(integratedActions as readonly string[]).includes(item.action)) throw invalidField(`items[${i}].action`, `must be one of ${integratedActions.join(', ')}`);
        items.push({ title: item.title, payload: `a:${item.action}` });
      }
    }
    try {
      const result = await adapter.setMenu(this.connections.credentials(account), { name: `Shoptalk ${account.name}`, chatBarText: input.chatBarText, items });
      return { menuId: result.menuId, items: items.length };
    } catch (err) {
      if (err instanceof ProviderError) throw new AppError(err.kind === 'permanent' ? 'validation_failed' : 'provider_unavailable', `${channelLabel(account.channel)} refused the menu: ${err.message}`);
      throw err;
    }
  }

  // ---- agent inbox

  async conversation(workspaceId: string, id: string): Promise<{ conversation: Conversation; messages: Message[] }> {
    const conversation = await this.uow.repos.conversations.get(workspaceId, id);
    if (!conversation) throw notFound('conversation', id);
    return { conversation, messages: await this.uow.repos.messages.listForConversation(workspaceId, id, 100) };
  }

  /** Takes a conversation over (automated replies pause) or gives it back to the bot. */
  async setMode(workspaceId: string, id: string, mode: 'agent' | 'bot', reason: string | null): Promise<Conversation> {
    for (let i = 0; i < 5; i++) {
      const c = await this.uow.repos.conversations.get(workspaceId, id);
      if (!c) throw notFound('conversation', id);
      const patch = mode === 'agent' ? { mode, handedOverAt: Date.now(), handoverReason: reason ?? 'taken over by an agent' } : { mode, handedOverAt: null, handoverReason: null, unexpectedCount: 0, state: null, stateExpiresAt: null };
      const changed = await this.uow.transaction(async (tx) => {
        if (!(await tx.conversations.update(workspaceId, id, c.version, patch))) return false;
        if (mode === 'agent' && c.mode !== 'agent' && this.inbox) await this.inbox.openForChat(tx, c, reason ?? 'taken over by an agent');
        return true;
      });
      if (changed) return (await this.uow.repos.conversations.get(workspaceId, id))!;
    }
    throw new AppError('conflict', 'the conversation is changing; try again');
  }

  /** An agent's reply, sent through the conversation's channel within its rules. */
  async reply(workspaceId: string, id: string, text: string, requestKey: string): Promise<Message> {
    if (text.trim() === '') throw invalidField('text', 'must not be empty');
    if (/<[a-z/][^>]*>/i.test(text)) throw invalidField('text', 'must be plain text, without HTML');
    const conversation = await this.uow.repos.conversations.get(workspaceId, id);
    if (!conversation) throw notFound('conversation', id);
    const account = await this.connections.getChannelAccount(workspaceId, conversation.channelAccountId);
    const delivery = agentReplyDelivery(account.channel, conversation.lastInboundAt, Date.now());
    if ('refused' in delivery) throw new AppError('conflict', delivery.refused);
    let content: StoredContent = { kind: 'text', text };
    if (account.channel === 'messenger') content = { kind: 'native', text, body: messengerTextBody(text, delivery.tag) };
    if (channelProfile(account.channel)?.subject) content = { kind: 'text', text, subject: 'Re: your message' };
    const messageId = await this.uow.transaction((tx) => queueReply(tx, conversation, account, content, `agent:${id}:${requestKey}`));
    // The chat's open ticket counts it as an agent's answer (SLA first response).
    if (messageId) await this.inbox?.agentAnswered?.(workspaceId, id);
    const message = messageId ? await this.uow.repos.messages.get(workspaceId, messageId) : await this.uow.repos.messages.findByIdempotencyKey(workspaceId, `agent:${id}:${requestKey}`);
    return message!;
  }

  list(workspaceId: string, opts: { mode?: 'agent' | 'bot' | null; limit: number; cursor: string | null }) {
    return this.uow.repos.conversations.list(workspaceId, opts);
  }
}
