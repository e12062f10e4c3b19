import { describe, expect, it } from 'vitest';
import { isSupported, supportingPlatforms, unsupportedReason } from './matrix.js';

const labels = { event: 'Points received', channel: 'Messenger', platform: 'SHOPLINE' };

describe('support matrix', () => {
  it('follows seed 000 for LINE and Messenger', () => {
    expect(isSupported('shopline', 'points.earned', 'line')).toBe(true);
    expect(isSupported('91app', 'points.earned', 'line')).toBe(false);
    expect(isSupported('cyberbiz', 'credits.earned', 'line')).toBe(false);
    expect(isSupported('91app', 'account.linked', 'messenger')).toBe(true);
    expect(isSupported('91app', 'order.placed', 'messenger')).toBe(false);
    expect(supportingPlatforms('coupon.issued', 'line')).toEqual(['cyberbiz', 'loyalty', 'shopline']);
  });

  it('lets the hub’s own loyalty events go wherever the channel allows promotions (seed 004)', () => {
    for (const type of ['points.earned', 'points.spent', 'coupon.issued'] as const) {
      for (const channel of ['whatsapp', 'line', 'sms', 'email']) expect(isSupported('loyalty', type, channel)).toBe(true);
      expect(isSupported('loyalty', type, 'messenger')).toBe(false);
    }
    // Store credits are a store platform's; the hub's programme has none.
    expect(isSupported('loyalty', 'credits.earned', 'whatsapp')).toBe(false);
  });

  it('never allows promotional notifications on Messenger', () => {
    for (const type of ['points.earned', 'points.spent', 'credits.earned', 'credits.spent', 'coupon.issued'] as const) {
      for (const platform of ['shopline', 'cyberbiz', '91app', 'shopify', 'eshopbox']) expect(isSupported(platform, type, 'messenger')).toBe(false);
      expect(supportingPlatforms(type, 'messenger')).toEqual([]);
    }
    expect(unsupportedReason('shopline', 'points.earned', 'messenger', labels)).toBe('Messenger does not allow promotional content such as points received in notifications');
  });

  it('covers the order and return journey on WhatsApp (seed 002)', () => {
    for (const type of ['order.placed', 'order.packed', 'order.shipped', 'order.delivery_failed', 'order.delivered', 'return.created', 'return.restocked'] as const) {
      expect(isSupported('eshopbox', type, 'whatsapp')).toBe(true);
      expect(isSupported('shopify', type, 'whatsapp')).toBe(true);
    }
    expect(unsupportedReason('shopify', 'account.linked', 'whatsapp', { event: 'Account linked', channel: 'WhatsApp', platform: 'Shopify' })).toBe(
      'Shopify does not support account linked notifications on WhatsApp',
    );
  });
});
