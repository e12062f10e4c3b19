// Per-key token buckets (one key per sending account). take() either consumes a token and returns 0, or
// returns how long to wait for the next one. In memory for one process; in Redis when several share it.
import type { Redis } from 'ioredis';

export interface RateLimiter {
  take(key: string, perSecond: number): Promise<number>;
}

export class MemoryRateLimiter implements RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  async take(key: string, perSecond: number): Promise<number> {
    const now = performance.now();
    const bucket = this.buckets.get(key) ?? { tokens: perSecond, at: now };
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) * perSecond) / 1000);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) * 1000) / perSecond);
  }
}

// Uses the Redis server's clock so that processes on different hosts agree.
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local data = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(data[1]) or rate
local at = tonumber(data[2]) or now
tokens = math.min(rate, tokens + (now - at) * rate / 1000)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
return wait
`;

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'shoptalk:rate:',
  ) {}

  async take(key: string, perSecond: number): Promise<number> {
    const wait = (await this.redis.eval(TAKE_SCRIPT, 1, this.prefix + key, String(perSecond))) as number;
    return Number(wait);
  }
}

const MAX_WAIT_IN_PLACE_MS = 2000;

/**
 * Waits for a token, briefly, in place. Returns false when the wait would be long: the caller then
 * puts the job back to run later instead of holding a worker slot.
 */
export async function acquireToken(limiter: RateLimiter, key: string, perSecond: number): Promise<boolean> {
  let waited = 0;
  for (;;) {
    const wait = await limiter.take(key, perSecond);
    if (wait === 0) return true;
    if (waited + wait > MAX_WAIT_IN_PLACE_MS) return false;
    // Jitter spreads the jobs that all saw the same empty bucket.
    const pause = wait + Math.floor(Math.random() * Math.min(50, wait + 1));
    await new Promise((r) => setTimeout(r, pause));
    waited += pause;
  }
}
