// Password hashing is deliberately expensive (128 MiB and a good part of a second of CPU each). Unbounded, a
// flood of sign-ins fills libuv's thread pool and both cores, and everything else (webhook acknowledgements,
// file and DNS work on the same pool) waits behind it. The gate lets a few hashes run at once, queues a few
// more briefly, and refuses the rest at once with a Retry-After.
import { AppError } from '../errors.js';

export interface HashGateStats {
  active: number;
  queued: number;
  /** The most hashes that ever ran at the same time. */
  peak: number;
  refused: number;
}

export class HashGate {
  private active = 0;
  private peak = 0;
  private refused = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueue: number,
  ) {
    if (concurrency < 1) throw new Error('hash concurrency must be at least 1');
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.maxQueue) {
        this.refused += 1;
        throw new AppError('rate_limited', 'too many sign-ins are being checked right now; try again in a moment', { retry_after_seconds: 1 });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    // Here this call holds a slot: either taken above, or handed over by the one that finished.
    this.peak = Math.max(this.peak, this.active);
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }

  stats(): HashGateStats {
    return { active: this.active, queued: this.waiting.length, peak: this.peak, refused: this.refused };
  }
}
