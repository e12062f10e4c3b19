// The core's channel profiles and the adapters' wire limits agree: a choice or a text the core lets through
// (a flow module's buttons, a notification's text) is one every adapter of the channel can send.
import { describe, expect, it } from 'vitest';
import { channelProfiles } from '../src/core/channels/profile.js';
import { WHATSAPP_LIMITS } from '../src/adapters/channels/whatsapp-cloud/interactive.js';
import { MESSENGER_LIMITS } from '../src/adapters/channels/messenger/adapter.js';
import { LINE_LIMITS } from '../src/adapters/channels/line/adapter.js';

describe('channel profiles and adapter limits', () => {
  it('WhatsApp: choices up to a list message, reply-button titles, text body', () => {
    expect(channelProfiles.whatsapp.choices).toEqual({ max: WHATSAPP_LIMITS.listRows, titleMax: WHATSAPP_LIMITS.buttonTitle });
    expect(channelProfiles.whatsapp.maxTextLength).toBe(WHATSAPP_LIMITS.textBody);
  });

  it('Messenger: quick replies and button titles', () => {
    expect(channelProfiles.messenger.choices).toEqual({ max: MESSENGER_LIMITS.quickReplies, titleMax: MESSENGER_LIMITS.buttonTitle });
  });

  it('LINE: quick-reply items, action labels, text', () => {
    expect(channelProfiles.line.choices).toEqual({ max: LINE_LIMITS.quickReplyItems, titleMax: LINE_LIMITS.actionLabel });
    expect(channelProfiles.line.maxTextLength).toBe(LINE_LIMITS.text);
  });
});
