import { describe, expect, it } from 'vitest';
import { SecretBox, maskSecret, safeEqual } from './secret-box.js';
import { maskPii } from '../pii.js';

describe('secrets', () => {
  it('seals with AES-256-GCM and a fresh IV, and detects tampering', () => {
    const box = new SecretBox(SecretBox.generateKey());
    const a = box.seal({ accessToken: 'EAAG-secret-token' });
    const b = box.seal({ accessToken: 'EAAG-secret-token' });
    expect(a).not.toBe(b);
    expect(a).not.toContain('EAAG');
    expect(box.open(a)).toEqual({ accessToken: 'EAAG-secret-token' });
    const parts = a.split('.');
    parts[3] = Buffer.from('tampered').toString('base64');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => new SecretBox(SecretBox.generateKey()).open(a)).toThrow();
  });

  it('masks secrets and personal data', () => {
    expect(maskSecret('EAAGabcdefghijk1234')).toBe('••••1234');
    expect(maskSecret('EAAGabcdefghijk')).toBe('••••');
    expect(maskSecret('short')).toBe('••••');
    expect(maskPii('send to +1 555-010-1234 and avery.chen@example.com')).toBe('send to +•••••34 and •••@example.com');
    // Phone numbers in any surrounding; digits inside identifiers are left alone.
    expect(maskPii('to=447700900456, "phone":"+447700900456" (0912000777)')).toBe('to=•••••56, "phone":"+•••••56" (•••••77)');
    expect(maskPii('job job_0mwr3x3cz80412345678abcdef failed; msg_12345678901234')).toBe('job job_0mwr3x3cz80412345678abcdef failed; msg_12345678901234');
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('key ring', () => {
  it('seals and signs with the current key, opens and verifies with the previous ones too', () => {
    const a = SecretBox.generateKey();
    const b = SecretBox.generateKey();
    const old = new SecretBox(a);
    const sealed = old.seal({ token: 'under-a' });
    const mac = old.mac('unsubscribe', 'data');

    const ring = new SecretBox(b, [a]);
    expect(ring.previousKeyCount).toBe(1);
    expect(ring.open(sealed)).toEqual({ token: 'under-a' });
    expect(ring.openWithKey(sealed).key).toBe('previous');
    expect(ring.verifyMac('unsubscribe', 'data', mac)).toBe(true);
    expect(ring.verifyMac('unsubscribe', 'other', mac)).toBe(false);
    expect(ring.verifyMac('trusted-device', 'data', mac)).toBe(false);
    expect(ring.mac('unsubscribe', 'data')).toBe(new SecretBox(b).mac('unsubscribe', 'data'));

    const resealed = ring.reseal(sealed)!;
    expect(new SecretBox(b).open(resealed)).toEqual({ token: 'under-a' });
    expect(() => old.open(resealed)).toThrow();
    expect(ring.reseal(resealed)).toBeNull();
    expect(ring.openWithKey(ring.seal({ x: '1' })).key).toBe('current');

    const alone = new SecretBox(b);
    expect(() => alone.open(sealed)).toThrow();
    expect(alone.verifyMac('unsubscribe', 'data', mac)).toBe(false);
    // The current key listed again as a previous one is ignored.
    expect(new SecretBox(b, [b]).previousKeyCount).toBe(0);
    expect(() => new SecretBox(b, ['c2hvcnQ='])).toThrow('previous master key 1 must be 32 bytes');
  });
});
