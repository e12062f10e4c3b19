// Messages the inbox sends on its own (the outside-hours reply, the CSAT survey) go out through the ticket's
// existing send path, inside the caller's transaction, under a key that makes them go out once: an EmpikPlace
// ticket's message is recorded and sent by the ticket.send job (plain text); a chat ticket's is queued in its
// conversation (message.send: channel policy, opt-outs, delivery tracking) and mirrored into the ticket.
import type { InteractiveContent, StoredContent } from '../channels/ports.js';
import type { Repos } from '../repos.js';
import type { Ticket } from '../tickets/model.js';
import type { Conversation } from '../conversations/model.js';
import type { ChannelAccount } from '../connections/repo.js';
import { agentReplyDelivery, messengerTextBody } from '../notifications/policy.js';
import { channelProfile } from '../channels/profile.js';
import { queueReply } from '../conversations/engine.js';

export const MARKETPLACE_SOURCE = 'EmpikPlace';

/** Where a chat ticket's messages go, or why they cannot (the conversation is gone, the window closed). */
type ChatTarget = { refused: string } | { conversation: Conversation; account: ChannelAccount; tag: string | null };

export async function chatTarget(tx: Repos, ticket: Ticket, now: number): Promise<ChatTarget> {
  const conversationId = ticket.context.conversationId ?? null;
  const conversation = conversationId ? await tx.conversations.get(ticket.workspaceId, conversationId) : null;
  const account = conversation ? await tx.channelAccounts.get(ticket.workspaceId, conversation.channelAccountId) : null;
  if (!conversation || !account) return { refused: 'the ticket has no conversation to write in' };
  const delivery = agentReplyDelivery(account.channel, conversation.lastInboundAt, now);
  if ('refused' in delivery) return { refused: delivery.refused };
  return { conversation, account, tag: delivery.tag };
}

/** A plain-text message to the ticket's customer, once per key; false when it could not be sent (and why). */
export async function sendTicketText(tx: Repos, ticket: Ticket, input: { text: string; key: string; author: string | null; now: number }): Promise<{ sent: true } | { sent: false; reason: string }> {
  const ws = ticket.workspaceId;
  if (ticket.source === MARKETPLACE_SOURCE) {
    const message = await tx.ticketMessages.addIfNew(ws, { ticketId: ticket.id, externalId: null, kind: 'auto_reply', author: input.author, body: input.text, attachments: [], attachmentBytes: 0, status: 'queued', error: null });
    if (message) await tx.jobs.enqueue({ type: 'ticket.send', workspaceId: ws, payload: { messageId: message.id } });
    return { sent: true };
  }
  const target = await chatTarget(tx, ticket, input.now);
  if ('refused' in target) return { sent: false, reason: target.refused };
  let content: StoredContent = { kind: 'text', text: input.text };
  if (target.account.channel === 'messenger') content = { kind: 'native', text: input.text, body: messengerTextBody(input.text, target.tag) };
  if (channelProfile(target.account.channel)?.subject) content = { kind: 'text', text: input.text, subject: 'Re: your message' };
  await queueChatMessage(tx, ticket, target, content, input);
  return { sent: true };
}

/** Reply buttons (WhatsApp, Messenger, LINE) to the ticket's customer, once per key. */
export async function sendTicketChoices(tx: Repos, ticket: Ticket, input: { text: string; buttons: InteractiveContent['buttons']; key: string; author: string | null; now: number }): Promise<{ sent: true } | { sent: false; reason: string }> {
  const target = await chatTarget(tx, ticket, input.now);
  if ('refused' in target) return { sent: false, reason: target.refused };
  // Buttons are not a human agent's reply: Messenger allows them only inside its 24-hour window.
  if (target.tag) return { sent: false, reason: `${channelProfile(target.account.channel)?.label ?? target.account.channel} allows it only within 24 hours of the customer’s last message` };
  await queueChatMessage(tx, ticket, target, { kind: 'interactive', text: input.text, buttons: input.buttons }, input);
  return { sent: true };
}

async function queueChatMessage(
  tx: Repos,
  ticket: Ticket,
  target: Exclude<ChatTarget, { refused: string }>,
  content: StoredContent,
  input: { text: string; key: string; author: string | null },
): Promise<void> {
  const messageId = await queueReply(tx, target.conversation, target.account, content, input.key);
  // Queued once: the same key again (a retried transaction, a second hook) queues nothing and mirrors nothing.
  if (!messageId) return;
  await tx.ticketMessages.addIfNew(ticket.workspaceId, { ticketId: ticket.id, externalId: `msg:${messageId}`, kind: 'auto_reply', author: input.author, body: input.text, attachments: [], attachmentBytes: 0, status: 'sent', error: null });
}
