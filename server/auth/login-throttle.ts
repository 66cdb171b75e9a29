import { TooManyRequestsError } from '../errors';

export interface LoginThrottleOptions {
  /** Failed log-ins an account may have before each further attempt waits. */
  accountFailures: number;
  /** The same for one client address (larger: several people may share one behind a NAT). */
  addressFailures: number;
  /** The first wait; each further failure doubles it, up to `maxWaitMs`. */
  baseWaitMs: number;
  maxWaitMs: number;
  /** Failures are forgotten this long after the last one. */
  forgetMs: number;
}

export const LOGIN_THROTTLE: LoginThrottleOptions = {
  accountFailures: 5,
  addressFailures: 20,
  baseWaitMs: 1000,
  maxWaitMs: 15 * 60_000,
  forgetMs: 60 * 60_000,
};

interface Record {
  failures: number;
  last: number;
  until: number;
}

/**
 * Back-off for failed log-ins, per account and per client address: after a few free failures each
 * further one makes the next attempt wait twice as long (1 s, 2 s, 4 s, … up to 15 min). An attempt
 * made while waiting is refused with TOO_MANY_REQUESTS and `Retry-After` before any password is
 * hashed, so guessing costs the guesser time and the server nothing. A successful log-in clears its
 * account and address. In memory, per server process: several API servers each keep their own.
 * Locking an account out by failing on purpose costs the attacker the same waits, and the owner
 * waits at most 15 minutes.
 */
export class LoginThrottle {
  private readonly records = new Map<string, Record>();
  private lastSweep: number;

  constructor(
    private readonly options: LoginThrottleOptions = LOGIN_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSweep = now();
  }

  /** Throws TOO_MANY_REQUESTS while the account or the address must wait. */
  check(account: string, address: string): void {
    const now = this.now();
    const wait = Math.max(this.waiting(`account:${account}`, now), this.waiting(`address:${address}`, now));
    if (wait <= 0) return;
    const seconds = Math.max(1, Math.ceil(wait / 1000));
    throw new TooManyRequestsError(`Too many failed log-ins. Try again in ${seconds} s.`, seconds);
  }

  failed(account: string, address: string): void {
    const now = this.now();
    this.sweep(now);
    this.count(`account:${account}`, this.options.accountFailures, now);
    this.count(`address:${address}`, this.options.addressFailures, now);
  }

  succeeded(account: string, address: string): void {
    this.records.delete(`account:${account}`);
    this.records.delete(`address:${address}`);
  }

  private waiting(key: string, now: number): number {
    const r = this.records.get(key);
    return r && now - r.last < this.options.forgetMs ? r.until - now : 0;
  }

  private count(key: string, free: number, now: number): void {
    let r = this.records.get(key);
    if (!r || now - r.last >= this.options.forgetMs) r = { failures: 0, last: now, until: 0 };
    r.failures++;
    r.last = now;
    const excess = r.failures - free;
    if (excess > 0) r.until = now + Math.min(this.options.maxWaitMs, this.options.baseWaitMs * 2 ** (excess - 1));
    this.records.set(key, r);
  }

  /** Drops records nobody has failed on for `forgetMs`, about once that often. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.options.forgetMs) return;
    this.lastSweep = now;
    for (const [key, r] of this.records) if (now - r.last >= this.options.forgetMs) this.records.delete(key);
  }
}
