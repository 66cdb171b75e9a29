import type { Principal, UserPrincipal } from '../auth/principal';
import type { Logger } from '../logging/logger';
import type { Services } from './services';
import { UnauthenticatedError } from '../errors';
import type { RateBucket } from './rate-limit';

export interface Context {
  principal: Principal | null;
  /** The client's address (the socket's peer), for the log-in throttle. */
  client: string;
  /** From the server's own machine: a loopback peer, and no proxy's forwarding headers. */
  local: boolean;
  services: Services;
  log: Logger;
  /** Counts this request against the caller's budget; throws TOO_MANY_REQUESTS when it is spent. */
  rateLimit(bucket: RateBucket): void;
}

/** The caller as a user; the auth checker has already refused anonymous and runner callers. */
export function userOf(ctx: Context): UserPrincipal {
  if (ctx.principal?.kind !== 'user') throw new UnauthenticatedError();
  return ctx.principal;
}
