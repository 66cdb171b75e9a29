import type { IdentityChange } from '../events/pubsub';
import type { Principal } from './principal';

/** What a bearer token stands for, and until when. */
export interface Authenticated {
  principal: Principal;
  /** Null: the token does not expire. */
  expiresAt: Date | null;
}

interface Entry extends Authenticated {
  loadedAt: number;
}

/**
 * Valid tokens by the hash of their secret, so that a request (a classify above all) does not
 * read the tokens table. An entry goes when its token is revoked or its user changes
 * (IDENTITY_CHANGED, from any server), when the token expires, and after `ttlMs` at most — the
 * bound on a missed event, and how often `lastUsedAt` is refreshed. Unknown secrets are not
 * cached, so guessing cannot fill it; past `maxEntries` the oldest entries go first.
 */
export class PrincipalCache {
  private readonly byHash = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  get(hash: string, now: Date): Authenticated | undefined {
    const entry = this.byHash.get(hash);
    if (!entry) return undefined;
    const expired = entry.expiresAt && entry.expiresAt.getTime() <= now.getTime();
    if (expired || now.getTime() - entry.loadedAt >= this.ttlMs) {
      this.byHash.delete(hash);
      return undefined;
    }
    return entry;
  }

  set(hash: string, session: Authenticated, now: Date): void {
    this.byHash.delete(hash);
    this.byHash.set(hash, { ...session, loadedAt: now.getTime() });
    if (this.byHash.size > this.maxEntries) this.byHash.delete(this.byHash.keys().next().value!);
  }

  /** Drops the entries an identity change makes wrong. */
  forget(change: IdentityChange): void {
    const tokens = change.tokenIds ? new Set(change.tokenIds) : null;
    for (const [hash, { principal }] of this.byHash) {
      const hit = tokens
        ? tokens.has(principal.tokenId)
        : principal.kind === 'user' && principal.userId === change.userId;
      if (hit) this.byHash.delete(hash);
    }
  }

  clear(): void {
    this.byHash.clear();
  }

  get size(): number {
    return this.byHash.size;
  }
}
