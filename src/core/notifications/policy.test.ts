// The channel rules applied before a send: Messenger's window and tags, agents' replies after the window, text
// lengths, and opt-out keywords per channel.
import { describe, expect, it } from 'vitest';
import { agentReplyDelivery, insideServiceWindow, messengerDelivery, messengerNotification, textLengthProblem } from './policy.js';
import { optKeyword } from './opt-outs.js';

const HOUR = 3600_000;
const now = Date.UTC(2026, 11, 3, 12);

describe('channel policy', () => {
  it('knows the customer-service window of each channel', () => {
    expect(insideServiceWindow('whatsapp', now - 23 * HOUR, now)).toBe(true);
    expect(insideServiceWindow('whatsapp', now - 24 * HOUR, now)).toBe(false);
    expect(insideServiceWindow('messenger', null, now)).toBe(false);
    for (const channel of ['line', 'sms', 'email']) expect(insideServiceWindow(channel, null, now)).toBe(true);
  });

  it('sends Messenger notifications as replies in the window, under the tag their event allows after it, and refuses the rest', () => {
    expect(messengerDelivery('coupon.issued', now - HOUR, now)).toEqual({ tag: null });
    expect(messengerDelivery('order.shipped', now - 25 * HOUR, now)).toEqual({ tag: 'POST_PURCHASE_UPDATE' });
    expect(messengerDelivery('return.created', null, now)).toEqual({ tag: 'POST_PURCHASE_UPDATE' });
    expect(messengerDelivery('shipment.updated', null, now)).toEqual({ tag: 'POST_PURCHASE_UPDATE' });
    expect(messengerDelivery('account.linked', null, now)).toEqual({ tag: 'ACCOUNT_UPDATE' });
    expect(messengerDelivery('points.earned', null, now)).toEqual({
      refused: 'Messenger allows it only within 24 hours of the customer’s last message, and the customer has not written in that time',
    });
    expect(messengerNotification('coupon.issued', 'Hi', now - HOUR, now)).toEqual({ content: { kind: 'native', text: 'Hi', body: { messaging_type: 'RESPONSE', message: { text: 'Hi' } } } });
    expect(messengerNotification('order.paid', 'Paid', null, now)).toEqual({
      content: { kind: 'native', text: 'Paid', body: { messaging_type: 'MESSAGE_TAG', tag: 'POST_PURCHASE_UPDATE', message: { text: 'Paid' } } },
    });
  });

  it('lets agents answer freely in the window, under HUMAN_AGENT for 7 days on Messenger, and never free-form after it on WhatsApp', () => {
    expect(agentReplyDelivery('whatsapp', now - HOUR, now)).toEqual({ tag: null });
    expect(agentReplyDelivery('whatsapp', now - 24 * HOUR, now)).toEqual({
      refused: 'WhatsApp allows free-form replies only within 24 hours of the customer’s last message; send an approved template instead',
    });
    expect(agentReplyDelivery('messenger', now - HOUR, now)).toEqual({ tag: null });
    expect(agentReplyDelivery('messenger', now - 6 * 24 * HOUR, now)).toEqual({ tag: 'HUMAN_AGENT' });
    expect(agentReplyDelivery('messenger', now - 7 * 24 * HOUR, now)).toEqual({ refused: 'Messenger allows agent replies only within 7 days of the customer’s last message' });
    expect(agentReplyDelivery('messenger', null, now)).toHaveProperty('refused');
    for (const channel of ['line', 'sms', 'email']) expect(agentReplyDelivery(channel, null, now)).toEqual({ tag: null });
  });

  it('measures texts in characters against the channel limit', () => {
    expect(textLengthProblem('sms', 'SMS', 'x'.repeat(1600))).toBeNull();
    expect(textLengthProblem('sms', 'SMS', 'x'.repeat(1601))).toBe('the text is 1601 characters and SMS takes at most 1600');
    expect(textLengthProblem('messenger', 'Messenger', '😀'.repeat(2000))).toBeNull();
    expect(textLengthProblem('messenger', 'Messenger', 'x'.repeat(2001))).toMatch(/at most 2000$/);
    expect(textLengthProblem('line', 'LINE', 'x'.repeat(5001))).toMatch(/at most 5000$/);
    expect(textLengthProblem('email', 'e-mail', 'x'.repeat(100_000))).toBeNull();
  });

  it('reads opt-out and opt-in keywords with the channel’s own words', () => {
    expect(optKeyword(' stop. ', 'line')).toBe('opt_out');
    expect(optKeyword('退訂', 'whatsapp')).toBe('opt_out');
    expect(optKeyword('cancel', 'sms')).toBe('opt_out');
    expect(optKeyword('cancel', 'whatsapp')).toBeNull();
    expect(optKeyword('yes', 'sms')).toBe('opt_in');
    expect(optKeyword('yes', 'messenger')).toBeNull();
    expect(optKeyword('START', 'email')).toBe('opt_in');
    expect(optKeyword('please stop sending', 'sms')).toBeNull();
  });
});
