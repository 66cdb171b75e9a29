import { GraphQLError } from 'graphql';

export class PayloadTooLargeError extends GraphQLError {
  constructor(message = 'Too large', extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code: 'PAYLOAD_TOO_LARGE' } });
  }
}
