import type { MiddlewareFn } from 'type-graphql';
import type { Principal } from '../auth/principal';
import type { Limits } from '../config/config';
import { TooManyRequestsError } from '../errors';

/** What is counted; each bucket has its own budget per token. */
export type RateBucket = 'classify';

/**
 * At most `limit` hits per key in any window of `windowMs` (a true sliding window, not fixed
 * minutes). Each key keeps a ring of its last `limit` hit times, so a request is allowed exactly
 * when the oldest of them has left the window, and a refusal knows when the next will pass.
 * Refused requests are not counted: a client that keeps retrying is not locked out for longer.
 */
export class SlidingWindowLimiter {
  private readonly rings = new Map<string, { times: Float64Array; next: number }>();
  private lastSweep: number;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`rate limit must be a whole number ≥ 1, got ${limit}`);
    this.lastSweep = now();
  }

  /** Counts a hit for `key` and returns 0, or refuses it and returns the milliseconds until one is allowed. */
  take(key: string): number {
    const now = this.now();
    this.sweep(now);
    let ring = this.rings.get(key);
    if (!ring) {
      ring = { times: new Float64Array(this.limit).fill(-Infinity), next: 0 };
      this.rings.set(key, ring);
    }
    const oldest = ring.times[ring.next]!;
    if (oldest > now - this.windowMs) return oldest + this.windowMs - now;
    ring.times[ring.next] = now;
    ring.next = (ring.next + 1) % this.limit;
    return 0;
  }

  /** Keys being tracked (idle ones are dropped about once a window, so memory follows active tokens). */
  get size(): number {
    return this.rings.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, ring] of this.rings) {
      const newest = ring.times[(ring.next + this.limit - 1) % this.limit]!;
      if (newest <= now - this.windowMs) this.rings.delete(key);
    }
  }
}

/** Per-process budgets, keyed by the caller's token id (several API servers each count their own). */
export class RateLimits {
  private readonly limiters: Record<RateBucket, SlidingWindowLimiter>;

  constructor(limits: Pick<Limits, 'classifyPerMinute'>, now: () => number = Date.now) {
    this.limiters = { classify: new SlidingWindowLimiter(limits.classifyPerMinute, 60_000, now) };
  }

  /** Throws TOO_MANY_REQUESTS (with the seconds to wait) when this token has used up the bucket. */
  check(bucket: RateBucket, principal: Principal | null): void {
    const limiter = this.limiters[bucket];
    const waitMs = limiter.take(principal ? `token:${principal.tokenId}` : 'anonymous');
    if (waitMs <= 0) return;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    throw new TooManyRequestsError(
      `Too many ${bucket} requests with this token: at most ${limiter.limit} a minute. Try again in ${seconds} s.`,
      seconds,
    );
  }
}

/**
 * `@UseMiddleware(RateLimit('classify'))` under `@Authorized(...)`: type-graphql runs the auth
 * check first, so refused callers spend no budget. Over HTTP the refusal is status 429 with
 * `Retry-After`; over graphql-ws it is the error alone.
 */
export function RateLimit(bucket: RateBucket): MiddlewareFn<{ rateLimit(bucket: RateBucket): void }> {
  return ({ context }, next) => {
    context.rateLimit(bucket);
    return next();
  };
}
