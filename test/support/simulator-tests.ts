// Adapter tests against a provider simulator: the simulator and the local webhook receivers listen for the
// whole describe block and close after it, and every test starts from a reset simulator and empty receivers
// with the file's accounts registered again.
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** What the tests need of a simulator (every provider simulator is one). */
export interface ServedSimulator {
  listen(): Promise<string>;
  close(): Promise<void>;
  reset(): void;
}

/** What the tests need of a receiver (WebhookReceiver, RawWebhookReceiver). */
export interface ServedReceiver {
  listen(): Promise<void>;
  clear(): void;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Runs once the simulator listens, with its base URL: build the adapter (or the account) against it. */
  started?: (baseUrl: string) => unknown;
  /** Runs before each test, after the reset: register what the tests use (shops, pages, numbers). */
  seed?: () => void;
}

/**
 * Registers the describe block's beforeAll / afterAll / beforeEach hooks for the simulator and the receivers
 * (local stand-ins for the hub's webhook endpoints; they listen before the simulator does).
 */
export function serveSimulator(simulator: ServedSimulator, receivers: ServedReceiver[], options: ServeOptions = {}): void {
  beforeAll(async () => {
    for (const receiver of receivers) await receiver.listen();
    const baseUrl = await simulator.listen();
    await options.started?.(baseUrl);
  });
  afterAll(async () => {
    await simulator.close();
    for (const receiver of receivers) await receiver.close();
  });
  beforeEach(() => {
    simulator.reset();
    for (const receiver of receivers) receiver.clear();
    options.seed?.();
  });
}
