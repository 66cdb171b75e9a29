import { GraphQLError } from 'graphql';

/** An export whose reload did not answer as the served network does: it is not offered. */
export class ExportUnverifiedError extends GraphQLError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code: 'EXPORT_UNVERIFIED' } });
  }
}
