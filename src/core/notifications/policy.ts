// Channel rules checked before a send (DESIGN.md, "Policies the hub enforces"), applied from the channel
// profiles. Pure functions: each answers how a message may go out, or why it may not, in words a merchant
// understands.
import type { EventType } from '../events/model.js';
import type { StoredContent } from '../channels/ports.js';
import { channelProfile, channelProfiles } from '../channels/profile.js';

const messenger = channelProfiles.messenger;

/** Whether the customer wrote within the channel's customer-service window (always, on a channel without one). */
export function insideServiceWindow(channel: string, lastInboundAt: number | null, now: number): boolean {
  const window = channelProfile(channel)?.serviceWindow;
  if (!window) return true;
  return lastInboundAt != null && now - lastInboundAt < window.ms;
}

/** A window as a merchant reads it in a rule: "24 hours", "7 days". */
const duration = (ms: number): string => (ms % 86_400_000 === 0 && ms > 86_400_000 ? `${ms / 86_400_000} days` : `${ms / 3_600_000} hours`);

/**
 * How a Messenger notification goes out: inside the customer-service window freely (tag null, a RESPONSE);
 * outside it only with a message tag, and a tag only for what it names (Messenger's tags in the channel profile).
 * Promotional content is never allowed under a tag.
 */
export function messengerDelivery(type: EventType, lastInboundAt: number | null, now: number): { tag: string | null } | { refused: string } {
  if (insideServiceWindow('messenger', lastInboundAt, now)) return { tag: null };
  const tag = messenger.messageTags.find((t) => t.events.includes(type));
  if (tag) return { tag: tag.tag };
  return { refused: `${messenger.label} allows it only within ${duration(messenger.serviceWindow!.ms)} of the customer’s last message, and the customer has not written in that time` };
}

/** The Send API body of a Messenger text: a RESPONSE, or a MESSAGE_TAG under the tag given. */
export function messengerTextBody(text: string, tag: string | null): Record<string, unknown> {
  return tag ? { messaging_type: 'MESSAGE_TAG', tag, message: { text } } : { messaging_type: 'RESPONSE', message: { text } };
}

/** A Messenger notification as it goes out now (a reply, or under the tag its event allows), or why it may not. */
export function messengerNotification(type: EventType, text: string, lastInboundAt: number | null, now: number): { content: StoredContent } | { refused: string } {
  const delivery = messengerDelivery(type, lastInboundAt, now);
  if ('refused' in delivery) return delivery;
  return { content: { kind: 'native', text, body: messengerTextBody(text, delivery.tag) } };
}

/**
 * How an agent's reply goes out on a channel: freely inside the window; after it, under the channel's human-agent
 * tag while that allows (Messenger, 7 days), and not at all where only approved templates may be sent (WhatsApp).
 */
export function agentReplyDelivery(channel: string, lastInboundAt: number | null, now: number): { tag: string | null } | { refused: string } {
  const profile = channelProfile(channel);
  const window = profile?.serviceWindow;
  if (!profile || !window) return { tag: null };
  const since = lastInboundAt == null ? Infinity : now - lastInboundAt;
  if (since < window.ms) return { tag: null };
  const agent = profile.humanAgent;
  if (agent && since < agent.windowMs) return { tag: agent.tag };
  if (agent) return { refused: `${profile.label} allows agent replies only within ${duration(agent.windowMs)} of the customer’s last message` };
  const instead = window.outside === 'approved-templates' ? '; send an approved template instead' : '';
  return { refused: `${profile.label} allows free-form replies only within ${duration(window.ms)} of the customer’s last message${instead}` };
}

/** A text too long for the channel, explained; null when it fits. */
export function textLengthProblem(channel: string, label: string, text: string): string | null {
  const max = channelProfile(channel)?.maxTextLength ?? null;
  const length = [...text].length;
  return max != null && length > max ? `the text is ${length} characters and ${label} takes at most ${max}` : null;
}
