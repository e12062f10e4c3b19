import { describe, expect, it } from 'vitest';
import type { JobSpec } from './jobs.js';
import { jobCatalogue, jobMaxAttempts } from './jobs.js';

describe('job catalogue', () => {
  it('gives a type its own retry budget, and the installation default to the others', () => {
    expect(jobCatalogue['chat-profile.fetch'].maxAttempts).toBe(3);
    expect(jobMaxAttempts('chat-profile.fetch', 8)).toBe(3);
    expect(jobMaxAttempts('message.send', 8)).toBe(8);
    expect(jobMaxAttempts('message.send', 2)).toBe(2);
    expect(jobMaxAttempts('not-a-job', 5)).toBe(5);
    expect(jobMaxAttempts('constructor', 5)).toBe(5);
  });

  it('types a job spec by its job type (checked by tsc)', () => {
    const ok: JobSpec[] = [
      { type: 'message.send', payload: { messageId: 'msg_1' } },
      { type: 'webhook.deliver', payload: { deliveryId: 'whd_1', attempt: 0 }, runAt: 1 },
    ];
    // @ts-expect-error a payload of another job type
    const wrongPayload: JobSpec = { type: 'message.send', payload: { webhookId: 'wh_1' } };
    // @ts-expect-error a job type outside the catalogue
    const unknownType: JobSpec = { type: 'echo', payload: {} };
    expect(ok.map((j) => j.type)).toEqual(['message.send', 'webhook.deliver']);
    expect([wrongPayload, unknownType]).toHaveLength(2);
  });
});
