import type { Context as SocketContext } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { Authenticated } from '../auth/principal-cache';
import type { Principal } from '../auth/principal';
import type { Limits } from '../config/config';
import { TooManySubscriptionsError } from '../errors';
import type { IdentityChange, IdentityChangeReason } from '../events/pubsub';

/**
 * How a socket ends when the identity it was opened with stops being valid (graphql-ws's own
 * codes): 4401, sign in again (logged out, token revoked, expired, account gone); 4403, the role
 * changed: reconnect and subscribe again as who you are now.
 */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_ROLE_CHANGED = 4403;

const REASONS: Record<IdentityChangeReason, [number, string]> = {
  LOGGED_OUT: [CLOSE_UNAUTHORIZED, 'Logged out'],
  TOKEN_REVOKED: [CLOSE_UNAUTHORIZED, 'Token revoked: sign in again'],
  USER_DISABLED: [CLOSE_UNAUTHORIZED, 'Account disabled'],
  USER_DELETED: [CLOSE_UNAUTHORIZED, 'Account deleted'],
  ROLE_CHANGED: [CLOSE_ROLE_CHANGED, 'Your role changed: reconnect'],
};
// setTimeout's longest delay; a longer-lived token re-arms its timer.
const MAX_TIMER_MS = 2 ** 31 - 1;
// A client that does not answer the close handshake is cut off after this.
const CLOSE_GRACE_MS = 3000;

interface Tracked {
  socket: WebSocket;
  principal: Principal | null;
  timer: NodeJS.Timeout | null;
}

/**
 * The open graphql-ws sockets of this server with the identity each was opened with: sockets end
 * when that identity changes (IDENTITY_CHANGED from any server) or its token expires, so no event
 * reaches a caller who may no longer see it; and subscriptions are capped per socket and per user.
 */
export class LiveSockets {
  private readonly sockets = new Map<SocketContext, Tracked>();
  private readonly byUser = new Map<string, Set<SocketContext>>();

  constructor(
    private readonly caps: Pick<Limits, 'subscriptionsPerSocket' | 'subscriptionsPerUser'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** A socket was acknowledged; `session` is what its connectionParams' token stood for (null: none). */
  connected(ctx: SocketContext, socket: WebSocket, session: Authenticated | null): void {
    const tracked: Tracked = { socket, principal: session?.principal ?? null, timer: null };
    this.sockets.set(ctx, tracked);
    const user = userIdOf(tracked.principal);
    if (user) this.byUser.set(user, (this.byUser.get(user) ?? new Set()).add(ctx));
    if (session?.expiresAt) this.closeAt(ctx, tracked, session.expiresAt.getTime());
  }

  disconnected(ctx: SocketContext): void {
    const tracked = this.sockets.get(ctx);
    if (!tracked) return;
    this.sockets.delete(ctx);
    if (tracked.timer) clearTimeout(tracked.timer);
    const user = userIdOf(tracked.principal);
    const set = user ? this.byUser.get(user) : undefined;
    set?.delete(ctx);
    if (user && set?.size === 0) this.byUser.delete(user);
  }

  /** The refusal of the subscription being started on `ctx` (already in ctx.subscriptions), or null. */
  admit(ctx: SocketContext): TooManySubscriptionsError | null {
    const perSocket = this.caps.subscriptionsPerSocket;
    if (open(ctx) > perSocket) {
      return new TooManySubscriptionsError(
        `Too many subscriptions on this connection: at most ${perSocket}. Complete some, or open them on another connection.`,
        { scope: 'socket', limit: perSocket },
      );
    }
    const user = userIdOf(this.sockets.get(ctx)?.principal ?? null);
    const perUser = this.caps.subscriptionsPerUser;
    if (user) {
      let total = 0;
      for (const c of this.byUser.get(user) ?? []) total += open(c);
      if (total > perUser) {
        return new TooManySubscriptionsError(
          `Too many subscriptions for this account: at most ${perUser} at once. Complete some first.`,
          { scope: 'user', limit: perUser },
        );
      }
    }
    return null;
  }

  /** Closes every socket opened with a token or user that `change` names; returns how many. */
  identityChanged(change: IdentityChange): number {
    const tokens = change.tokenIds ? new Set(change.tokenIds) : null;
    const [code, reason] = REASONS[change.reason];
    let closed = 0;
    for (const [ctx, t] of this.sockets) {
      if (!t.principal) continue;
      const hit = tokens ? tokens.has(t.principal.tokenId) : userIdOf(t.principal) === change.userId;
      if (!hit) continue;
      this.close(ctx, t, code, reason);
      closed++;
    }
    return closed;
  }

  get size(): number {
    return this.sockets.size;
  }

  private closeAt(ctx: SocketContext, t: Tracked, at: number): void {
    const wait = at - this.now();
    if (wait <= 0) return this.close(ctx, t, CLOSE_UNAUTHORIZED, 'Session expired: sign in again');
    t.timer = setTimeout(() => this.closeAt(ctx, t, at), Math.min(wait, MAX_TIMER_MS));
    t.timer.unref();
  }

  /** Nothing more is sent once close() is called; the subscriptions end as the socket closes. */
  private close(ctx: SocketContext, t: Tracked, code: number, reason: string): void {
    this.disconnected(ctx);
    t.socket.close(code, reason);
    setTimeout(() => t.socket.terminate(), CLOSE_GRACE_MS).unref();
  }
}

function userIdOf(p: Principal | null): string | null {
  return p?.kind === 'user' ? p.userId : null;
}

function open(ctx: SocketContext): number {
  return Object.keys(ctx.subscriptions).length;
}
