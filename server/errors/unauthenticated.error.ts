import { GraphQLError } from 'graphql';

export class UnauthenticatedError extends GraphQLError {
  constructor(message = 'Authentication required', extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code: 'UNAUTHENTICATED' } });
  }
}
