import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from '../logging/logger';
import { currentRequestId } from '../logging/request-context';
import { QUERY_LIMIT_CODES, QueryLimitError } from './limits';

const CLIENT_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'PAYLOAD_TOO_LARGE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
  'TOO_MANY_REQUESTS',
  'TOO_MANY_SUBSCRIPTIONS',
  'EXPORT_UNVERIFIED',
  ...QUERY_LIMIT_CODES,
]);

/**
 * Client errors pass through with their code; anything else is logged and shown without internals.
 * Over HTTP each carries `extensions.requestId`, the id of the request's log lines.
 */
export function formatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const shown = withoutInternals(log, formatted, error);
    const requestId = currentRequestId();
    return requestId ? { ...shown, extensions: { ...shown.extensions, requestId } } : shown;
  };
}

function withoutInternals(log: Logger, formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  // Apollo files every validation-rule error under GRAPHQL_VALIDATION_FAILED; a query limit keeps its own code.
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  const code = original instanceof QueryLimitError ? original.extensions.code : formatted.extensions?.code;
  if (typeof code === 'string' && CLIENT_CODES.has(code)) {
    const { stacktrace: _drop, http: _http, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions: { ...extensions, code } };
  }
  log.error(
    { err: unwrapResolverError(error), path: formatted.path, reqId: currentRequestId() ?? undefined },
    'unexpected error in a GraphQL operation',
  );
  return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/**
 * graphql-ws sends errors as they are; this gives them the same treatment as over HTTP (codes kept,
 * internals hidden, Apollo's `http` extension dropped).
 */
export function formatSocketErrors(format: ReturnType<typeof formatError>, errors: readonly GraphQLError[]) {
  return errors.map((e) => format(e.toJSON(), e));
}
