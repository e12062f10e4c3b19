// Signing follows Standard Webhooks: checked against the known-answer vector of the specification's reference
// library (standard-webhooks, libraries/javascript, "sign function works"), not against our own signer.
import { describe, expect, it } from 'vitest';
import { MAX_AUTOMATIC_ATTEMPTS, RETRY_SCHEDULE_MS, responseExcerpt, standardSignature } from './outbound.js';

describe('outbound webhook signing', () => {
  it('matches the Standard Webhooks known-answer vector', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(standardSignature(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    // The prefix is optional, as in the reference library.
    expect(standardSignature('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('retries for about a day with growing waits', () => {
    expect(MAX_AUTOMATIC_ATTEMPTS).toBe(8);
    for (let i = 1; i < RETRY_SCHEDULE_MS.length; i++) expect(RETRY_SCHEDULE_MS[i]!).toBeGreaterThanOrEqual(RETRY_SCHEDULE_MS[i - 1]!);
    const total = RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(24 * 3_600_000);
    expect(total).toBeLessThan(30 * 3_600_000);
  });

  it('keeps a short, clean excerpt of a receiver’s answer', () => {
    expect(responseExcerpt(null)).toBeNull();
    expect(responseExcerpt('ok\r\n')).toBe('ok');
    expect(responseExcerpt('a\u0000b\u001b[2Jc\u202eevil\u2028d')).toBe('a b [2Jc evil d');
    const long = responseExcerpt('<html>' + 'x'.repeat(5000));
    expect(long!.length).toBe(200);
    expect(long!.endsWith('…')).toBe(true);
  });
});
