import { GraphQLError } from 'graphql';

/** A subscription past the per-socket or per-user cap; the others keep running. */
export class TooManySubscriptionsError extends GraphQLError {
  constructor(message: string, extensions: { scope: 'socket' | 'user'; limit: number }) {
    super(message, { extensions: { ...extensions, code: 'TOO_MANY_SUBSCRIPTIONS' } });
  }
}
