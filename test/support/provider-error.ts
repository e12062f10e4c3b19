// Adapter tests: awaits a call that must fail with a ProviderError, and returns it for its kind and code.
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
