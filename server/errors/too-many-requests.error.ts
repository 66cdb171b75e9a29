import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';

export class TooManyRequestsError extends GraphQLError {
  constructor(message: string, retryAfterSeconds: number) {
    super(message, {
      extensions: {
        code: 'TOO_MANY_REQUESTS',
        retryAfterSeconds,
        // Apollo turns `http` into the response's status and headers and drops it from the body.
        http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
      },
    });
  }
}
