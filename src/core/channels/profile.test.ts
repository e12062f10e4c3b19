// The channel catalogue: every channel has a profile, the profiles agree with each other, and every limit the
// provider documents matches the protocol notes in the design's reference (reference/messaging-apis.md, quoted
// above each check).
import { describe, expect, it } from 'vitest';
import { eventTypes } from '../events/model.js';
import type { EventType } from '../events/model.js';
import { channelIds, channelProfile, channelProfiles, channelsAddressedBy, choicesOnEveryChannel, isChannelId } from './profile.js';

const HOUR = 3600_000;
const promotional: EventType[] = ['points.earned', 'points.spent', 'credits.earned', 'credits.spent', 'coupon.issued'];

describe('channel profiles', () => {
  it('describe every channel once, under its own id', () => {
    expect(Object.keys(channelProfiles).sort()).toEqual([...channelIds].sort());
    for (const id of channelIds) {
      const p = channelProfiles[id];
      expect(p.id).toBe(id);
      expect(p.label.trim()).not.toBe('');
      expect(p.addressHint).toMatch(/^must be /);
      expect(channelProfile(id)).toBe(p);
      expect(isChannelId(id)).toBe(true);
    }
    expect(channelProfile('telegram')).toBeNull();
    expect(new Set(channelIds.map((id) => channelProfiles[id].label)).size).toBe(channelIds.length);
  });

  it('address customers by phone (WhatsApp, SMS), e-mail, or an id valid on one account (Messenger, LINE)', () => {
    expect(channelsAddressedBy('phone')).toEqual(['whatsapp', 'sms']);
    expect(channelsAddressedBy('email')).toEqual(['email']);
    expect(channelsAddressedBy('account-user-id')).toEqual(['messenger', 'line']);
  });

  it('hold rules that agree with each other', () => {
    for (const id of channelIds) {
      const p = channelProfiles[id];
      // Message tags and the human-agent tag only make sense after a window that asks for them.
      if (p.messageTags.length > 0 || p.humanAgent) expect(p.serviceWindow?.outside).toBe('message-tags');
      if (p.humanAgent) expect(p.humanAgent.windowMs).toBeGreaterThan(p.serviceWindow!.ms);
      for (const tag of p.messageTags) for (const type of tag.events) expect(eventTypes).toContain(type);
      // A channel that forbids promotions never lets one out under a tag.
      if (!p.promotionalNotifications) for (const tag of p.messageTags) for (const type of promotional) expect(tag.events).not.toContain(type);
      // A word cannot both opt out and opt in.
      for (const word of p.optOutWords) expect(p.optInWords.has(word)).toBe(false);
      expect(p.optOutWords.has('STOP')).toBe(true);
      expect(p.optInWords.has('START')).toBe(true);
      for (const word of [...p.optOutWords, ...p.optInWords]) expect(word).toBe(word.toUpperCase());
      if (p.choices) expect(p.choices.max).toBeGreaterThan(0);
      if (p.unsubscribeLink || p.hardBounceOptsOut) expect(p.address.kind).toBe('email');
    }
    // "Cancel" and "yes" answer questions in a chat; only SMS, where carriers act on them anyway, takes them.
    expect(channelIds.filter((id) => channelProfiles[id].optOutWords.has('CANCEL'))).toEqual(['sms']);
    expect(channelIds.filter((id) => channelProfiles[id].optInWords.has('YES'))).toEqual(['sms']);
  });

  it('give the choices that fit every channel: 10 choices (WhatsApp lists), titles of 20 characters', () => {
    expect(choicesOnEveryChannel.max.value).toBe(10);
    expect(choicesOnEveryChannel.max.channels.map((c) => c.id)).toEqual(['whatsapp']);
    expect(choicesOnEveryChannel.titleMax.value).toBe(20);
    expect(choicesOnEveryChannel.titleMax.channels.map((c) => c.id)).toEqual(['whatsapp', 'messenger', 'line']);
  });

  describe('match the reference', () => {
    it('WhatsApp', () => {
      const p = channelProfiles.whatsapp;
      // "**24-hour customer-service window**: opened or refreshed each time the *user* messages (or calls) the
      // business. [...] While it is open you may send any message type. Outside it, **only approved templates**."
      expect(p.serviceWindow).toEqual({ ms: 24 * HOUR, outside: 'approved-templates' });
      expect(p.notificationContent).toBe('provider-template');
      // Interactive reply buttons: "Limits: 1–3 buttons. `title` is at most 20 chars and must be unique within the message."
      expect(p.choices?.titleMax).toBe(20);
      expect(p.address.kind).toBe('phone');
    });

    it('Messenger', () => {
      const p = channelProfiles.messenger;
      // "**24h standard window**: the business may reply (promotional content allowed) within 24h of the user's last
      // message. After that, only tagged messages (plus paid or opt-in products)."
      expect(p.serviceWindow).toEqual({ ms: 24 * HOUR, outside: 'message-tags' });
      // "`POST_PURCHASE_UPDATE`: transaction confirmations, receipts, shipment status, order changes requiring action."
      // "`ACCOUNT_UPDATE`: non-recurring changes to the user's account or application"
      const tags = Object.fromEntries(p.messageTags.map((t) => [t.tag, t.events]));
      expect(Object.keys(tags).sort()).toEqual(['ACCOUNT_UPDATE', 'POST_PURCHASE_UPDATE']);
      expect(tags['ACCOUNT_UPDATE']).toEqual(['account.linked']);
      expect(tags['POST_PURCHASE_UPDATE']).toEqual(expect.arrayContaining(['order.placed', 'order.shipped', 'order.delivery_failed', 'order.refunded', 'return.created', 'shipment.updated']));
      // "`HUMAN_AGENT`: a human reply within **7 days** of the user's message. Automated messages are not allowed."
      expect(p.humanAgent).toEqual({ tag: 'HUMAN_AGENT', windowMs: 7 * 24 * HOUR });
      // "Message Tags may not be used to send promotional content, including but not limited to: deals, offers,
      // coupons, and discounts."
      expect(p.promotionalNotifications).toBe(false);
      // Send API body: `{"recipient":{"id":"<PSID>"}, ...}`; a PSID belongs to one Page.
      expect(p.address).toMatchObject({ kind: 'account-user-id', name: 'PSID', account: 'Facebook page' });
      // Persistent menu: "Postback title max 20 chars".
      expect(p.choices?.titleMax).toBe(20);
    });

    it('LINE', () => {
      const p = channelProfiles.line;
      // Push and reply have no customer-service window; a reply token "works once and expires quickly" and a reply
      // does not count against the monthly quota a push uses.
      expect(p.serviceWindow).toBeNull();
      expect(p.replyToken).toBe(true);
      // "Quick reply on any message: [...] (at most 13 items)."
      expect(p.choices?.max).toBe(13);
      expect(p.address).toMatchObject({ kind: 'account-user-id', account: 'LINE channel' });
    });

    it('SMS and e-mail: no window, any content, choices as numbered lines', () => {
      for (const id of ['sms', 'email'] as const) {
        const p = channelProfiles[id];
        expect(p.serviceWindow).toBeNull();
        expect(p.promotionalNotifications).toBe(true);
        expect(p.choices).toBeNull();
        expect(p.notificationContent).toBe('text');
      }
      expect(channelProfiles.email.subject).toBe(true);
      expect(channelIds.filter((id) => channelProfiles[id].subject)).toEqual(['email']);
    });
  });
});
