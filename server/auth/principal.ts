import type { TokenScope } from './token.entity';
import type { Role } from './user.entity';

/** Who is calling, as established from the bearer token. */
export type Principal =
  | { kind: 'user'; userId: string; role: Role; tokenId: string; scope: TokenScope }
  | { kind: 'runner'; tokenId: string };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;
