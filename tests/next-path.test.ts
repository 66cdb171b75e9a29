import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sameOriginPath } from '../client/src/lib/next-path';

// The log-in page's `?next=` (client/src/lib/router.svelte.ts), with URL parsing as the browser does it.
test('after logging in, ?next= leads to a path of this origin only', () => {
  const origin = 'http://localhost:4000';
  const go = (next: string | null) => sameOriginPath(next, origin, '/models');
  assert.equal(go('/graphiql'), '/graphiql');
  assert.equal(go('/models/1?tab=data#top'), '/models/1?tab=data#top');
  // What URLSearchParams hands over for ?next=/%5Cevil.example/x, /%09/evil.example and friends.
  for (const hostile of [
    '/\\evil.example/x',
    '/\t/evil.example',
    '/\n/evil.example',
    '//evil.example',
    '/\\/evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '',
    null,
  ]) {
    assert.equal(go(hostile), '/models', JSON.stringify(hostile));
  }
});
