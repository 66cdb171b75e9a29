import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { TooManyRequestsError } from '../errors';

const rawScrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scryptCb(password, salt, keylen, opts, (e, key) => (e ? reject(e) : resolve(key))));

/**
 * Hashing runs on libuv's thread pool (4 threads by default), which file reads and DNS lookups
 * share: 40 concurrent wrong-password log-ins once held a static page for 3.6 s. So at most
 * HASH_CONCURRENCY hashes run at once and the rest wait their turn here, in JavaScript, leaving
 * the other threads free; past HASH_QUEUE waiting, a log-in is refused at once rather than queued
 * without end. Each hash also holds 128 MiB (128·N·r bytes) while it runs, which the bound caps too.
 */
export const HASH_CONCURRENCY = 2;
const HASH_QUEUE = 256;

class HashQueue {
  active = 0;
  /** The most that ever ran at once (tests read it). */
  peak = 0;
  private readonly waiting: (() => void)[] = [];

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= HASH_CONCURRENCY) {
      if (this.waiting.length >= HASH_QUEUE) throw new TooManyRequestsError('The server is busy; try again.', 1);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      return await job();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export const hashQueue = new HashQueue();

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  hashQueue.run(() => rawScrypt(password, salt, keylen, { ...opts, maxmem: 256 << 20 }));

// OWASP's minimum for scrypt (N=2^17, r=8, p=1); about 4× the cost of the 2^15 Percept used first.
// Parameters travel with each hash, so older hashes still verify and are re-hashed at the next log-in.
export const SCRYPT_PARAMS = { N: 1 << 17, r: 8, p: 1 };
const KEYLEN = 32;

export async function hashPassword(password: string, params = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(expected, actual);
}

/** Whether a stored hash was made with other parameters than today's. */
export function needsRehash(stored: string): boolean {
  const [scheme, n, r, p] = stored.split('$');
  return scheme !== 'scrypt' || `${n}$${r}$${p}` !== `${SCRYPT_PARAMS.N}$${SCRYPT_PARAMS.r}$${SCRYPT_PARAMS.p}`;
}
