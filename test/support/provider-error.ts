// Adapter tests: awaits a call that must fail with a ProviderError and returns it for its kind and code; and
// the failures every adapter classifies alike (rate limit, outage, refused credentials).
import { expect } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';

export async function expectProviderError(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }
  throw new Error('expected a ProviderError');
}

/** What the fault helpers need of a simulator. */
interface FaultInjector {
  injectFault(fault: { kind: 'status'; status: number; retryAfter?: number }): void;
}

/** The simulator answers the call with 429 and Retry-After: the call fails 'retry_after' with that wait in ms. */
export async function expectRateLimited(sim: FaultInjector, call: () => Promise<unknown>, retryAfterSeconds: number): Promise<ProviderError> {
  sim.injectFault({ kind: 'status', status: 429, retryAfter: retryAfterSeconds });
  const err = await expectProviderError(call());
  expect(err.kind).toBe('retry_after');
  expect(err.retryAfterMs).toBe(retryAfterSeconds * 1000);
  return err;
}

/** The simulator answers the call with a server error: the call fails 'retryable' with that status. */
export async function expectOutage(sim: FaultInjector, call: () => Promise<unknown>, status = 503): Promise<ProviderError> {
  sim.injectFault({ kind: 'status', status });
  const err = await expectProviderError(call());
  expect(err.kind).toBe('retryable');
  expect(err.httpStatus).toBe(status);
  return err;
}

/** The call is refused for good: 'permanent' with that HTTP status, a message that says so and does not echo the secret. */
export async function expectRefusal(call: Promise<unknown>, expected: { httpStatus: number; says: string; hides?: string }): Promise<ProviderError> {
  const err = await expectProviderError(call);
  expect(err.kind).toBe('permanent');
  expect(err.httpStatus).toBe(expected.httpStatus);
  expect(err.message).toContain(expected.says);
  if (expected.hides !== undefined) expect(err.message).not.toContain(expected.hides);
  return err;
}
