import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { schemaText } from '../server/graphql/schema';

test('schema.graphql is in step with the resolvers (run `npm run schema` after changing the API)', async () => {
  const committed = readFileSync(join(__dirname, '..', '..', 'schema.graphql'), 'utf8');
  assert.equal(committed, await schemaText());
});
