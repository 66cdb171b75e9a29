import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PrincipalCache } from './principal-cache';
import { TokenScope } from './token.entity';
import { Role } from './user.entity';

const user = (userId: string, tokenId: string) => ({
  kind: 'user' as const,
  userId,
  role: Role.USER,
  tokenId,
  scope: TokenScope.FULL,
});

test('PrincipalCache: expiry, TTL, and identity changes by token or by user', () => {
  const cache = new PrincipalCache(60_000, 3);
  const t0 = new Date(1_000_000);
  const at = (ms: number) => new Date(t0.getTime() + ms);
  cache.set('h1', { principal: user('ann', 'tok1'), expiresAt: at(5_000) }, t0);
  cache.set('h2', { principal: user('ann', 'tok2'), expiresAt: null }, t0);
  cache.set('h3', { principal: user('bob', 'tok3'), expiresAt: null }, t0);
  assert.equal(cache.get('h1', at(4_999))?.principal.tokenId, 'tok1');
  assert.equal(cache.get('h1', at(5_000)), undefined, 'expired');
  assert.equal(cache.get('h2', at(60_000)), undefined, 'past the TTL: read again');

  cache.set('h2', { principal: user('ann', 'tok2'), expiresAt: null }, t0);
  cache.forget({ reason: 'TOKEN_REVOKED', userId: 'bob', tokenIds: ['tok3'] });
  assert.equal(cache.get('h3', t0), undefined);
  assert.ok(cache.get('h2', t0), 'only the named token');
  cache.forget({ reason: 'ROLE_CHANGED', userId: 'ann' });
  assert.equal(cache.get('h2', t0), undefined, 'every token of the user');

  for (let i = 0; i < 5; i++) cache.set(`x${i}`, { principal: user('c', `t${i}`), expiresAt: null }, t0);
  assert.equal(cache.size, 3, 'bounded');
  assert.equal(cache.get('x0', t0), undefined, 'oldest first');
});
