import { GraphQLError } from 'graphql';

export class BadUserInputError extends GraphQLError {
  constructor(message = 'Invalid input', extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code: 'BAD_USER_INPUT' } });
  }
}
