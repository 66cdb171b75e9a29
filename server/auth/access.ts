import type { AuthChecker } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import type { Context } from '../graphql/context';
import { TokenScope } from './token.entity';
import { Role } from './user.entity';

/** Who may call an operation, given to `@Authorized(...)`. */
export enum Access {
  /** Any signed-in user with a full-scope token. */
  USER = 'USER',
  /** Also open to API tokens whose scope is CLASSIFY. */
  CLASSIFY = 'CLASSIFY',
  ADMIN = 'ADMIN',
  /** Runner tokens (and nobody else unless also listed). */
  RUNNER = 'RUNNER',
}

export const authChecker: AuthChecker<Context, Access> = ({ context }, access) => {
  const who = context.principal;
  if (!who) throw new UnauthenticatedError('Sign in, or send an API token as "Authorization: Bearer <token>".');
  if (who.kind === 'runner') {
    if (access.includes(Access.RUNNER)) return true;
    throw new ForbiddenError('A runner token can only do runner work.');
  }
  if (access.length > 0 && access.every((a) => a === Access.RUNNER)) {
    throw new ForbiddenError('Only runners can call this.');
  }
  if (access.includes(Access.ADMIN) && who.role !== Role.ADMIN) throw new ForbiddenError('Admins only.');
  if (who.scope === TokenScope.CLASSIFY && !access.includes(Access.CLASSIFY)) {
    throw new ForbiddenError('This token may only classify.');
  }
  return true;
};
