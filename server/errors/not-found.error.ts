import { GraphQLError } from 'graphql';

export class NotFoundError extends GraphQLError {
  constructor(message = 'Not found', extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code: 'NOT_FOUND' } });
  }
}
