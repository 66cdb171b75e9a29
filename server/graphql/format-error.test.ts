import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphQLError } from 'graphql';
import { createLogger } from '../logging/logger';
import { formatError, formatSocketErrors } from './format-error';
import { QueryLimitError } from './limits';

const format = formatError(createLogger('silent'));

test('a query-limit error keeps its own code after Apollo files it as a validation failure', () => {
  const limit = new QueryLimitError('QUERY_TOO_DEEP', 'too deep', 12, 13);
  // What Apollo's ValidationError makes of it: same extensions, code overwritten, original kept.
  const wrapped = new GraphQLError(limit.message, {
    originalError: limit,
    extensions: { ...limit.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
  });
  const out = format(
    { message: wrapped.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 12 } },
    wrapped,
  );
  assert.deepEqual(out.extensions, { code: 'QUERY_TOO_DEEP', limit: 12 });
});

test('over graphql-ws, an unexpected error is shown without its internals; client errors keep their code', () => {
  const internal = new GraphQLError('relation "secret_table" does not exist', {
    originalError: new Error('relation "secret_table" does not exist'),
    path: ['models'],
  });
  const notFound = new GraphQLError('No such model.', { extensions: { code: 'NOT_FOUND' } });
  const [hidden, kept] = formatSocketErrors(format, [internal, notFound]);
  assert.deepEqual(hidden, {
    message: 'Internal server error',
    path: ['models'],
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
  assert.equal(kept?.extensions?.code, 'NOT_FOUND');
  assert.equal(kept?.message, 'No such model.');
});
