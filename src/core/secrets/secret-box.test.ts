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
