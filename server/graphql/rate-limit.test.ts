import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { Authorized, Ctx, Mutation, Query, Resolver, UseMiddleware, buildSchema } from 'type-graphql';
import { authChecker, Access } from '../auth/access';
import type { Principal } from '../auth/principal';
import { TokenScope } from '../auth/token.entity';
import { Role } from '../auth/user.entity';
import { createLogger } from '../logging/logger';
import type { Context } from './context';
import { TooManyRequestsError } from '../errors';
import { formatError, formatSocketErrors } from './format-error';
import { RateLimit, RateLimits, SlidingWindowLimiter } from './rate-limit';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('SlidingWindowLimiter', () => {
  test('allows `limit` hits in any window and says how long until the next is allowed', () => {
    const c = clock();
    const l = new SlidingWindowLimiter(3, 60_000, c.now);
    assert.equal(l.take('a'), 0);
    c.advance(10_000);
    assert.equal(l.take('a'), 0);
    assert.equal(l.take('a'), 0);
    assert.equal(l.take('a'), 50_000, 'the first hit leaves the window 50 s from now');
    c.advance(50_000);
    assert.equal(l.take('a'), 0, 'one slot freed');
    assert.equal(l.take('a'), 10_000, 'the window slides: the next two hits are still inside it');
  });

  test('refused hits are not counted, and keys do not share a budget', () => {
    const c = clock();
    const l = new SlidingWindowLimiter(2, 1000, c.now);
    l.take('a');
    l.take('a');
    for (let i = 0; i < 50; i++) assert.ok(l.take('a') > 0);
    assert.equal(l.take('b'), 0);
    c.advance(1000);
    assert.equal(l.take('a'), 0, 'hammering while refused did not extend the wait');
  });

  test('idle keys are dropped, so memory follows the tokens in use', () => {
    const c = clock();
    const l = new SlidingWindowLimiter(5, 1000, c.now);
    for (let i = 0; i < 100; i++) l.take(`token-${i}`);
    assert.equal(l.size, 100);
    c.advance(1500);
    l.take('fresh');
    assert.equal(l.size, 1);
  });
});

describe('RateLimits', () => {
  const principal: Principal = { kind: 'user', userId: 'u', role: Role.USER, tokenId: 't1', scope: TokenScope.FULL };

  test('refuses with TOO_MANY_REQUESTS, the seconds to wait, and HTTP 429 + Retry-After for Apollo', () => {
    const c = clock();
    const limits = new RateLimits({ classifyPerMinute: 2 }, c.now);
    limits.check('classify', principal);
    c.advance(500);
    limits.check('classify', principal);
    const error = (() => {
      try {
        limits.check('classify', principal);
      } catch (e) {
        return e;
      }
    })();
    assert.ok(error instanceof TooManyRequestsError);
    assert.equal(error.extensions.code, 'TOO_MANY_REQUESTS');
    assert.equal(error.extensions.retryAfterSeconds, 60);
    const http = error.extensions.http as { status: number; headers: HeaderMap };
    assert.equal(http.status, 429);
    assert.equal(http.headers.get('retry-after'), '60');
    assert.match(error.message, /at most 2 a minute\. Try again in 60 s/);
    // Another token of the same user has its own budget.
    assert.doesNotThrow(() => limits.check('classify', { ...principal, tokenId: 't2' }));
  });
});

@Resolver()
class ClassifyLikeResolver {
  @Query(() => Boolean)
  ping(): boolean {
    return true;
  }

  @Authorized(Access.USER, Access.CLASSIFY)
  @UseMiddleware(RateLimit('classify'))
  @Mutation(() => String)
  classify(@Ctx() ctx: Context): string {
    return `classified for ${ctx.principal?.tokenId}`;
  }
}

describe('RateLimit middleware through Apollo', async () => {
  const schema = await buildSchema({ resolvers: [ClassifyLikeResolver], authChecker, validate: false });
  const log = createLogger('silent');
  const apollo = new ApolloServer<Context>({ schema, formatError: formatError(log) });
  await apollo.start();
  after(() => apollo.stop());
  const limits = new RateLimits({ classifyPerMinute: 2 });
  const contextFor = (principal: Principal | null) =>
    ({ principal, log, services: {}, rateLimit: (b) => limits.check(b, principal) }) as Context;
  const classify = async (principal: Principal | null) => {
    const res = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: 'POST',
        headers: new HeaderMap([['content-type', 'application/json']]),
        search: '',
        body: { query: 'mutation { classify }' },
      },
      context: async () => contextFor(principal),
    });
    assert.equal(res.body.kind, 'complete');
    return { status: res.status ?? 200, headers: res.headers, body: JSON.parse(res.body.string) };
  };
  const user: Principal = { kind: 'user', userId: 'u', role: Role.USER, tokenId: 'api-1', scope: TokenScope.CLASSIFY };

  test('the request past the budget is HTTP 429 with Retry-After and a TOO_MANY_REQUESTS error', async () => {
    assert.equal((await classify(user)).body.data.classify, 'classified for api-1');
    assert.equal((await classify(user)).status, 200);
    const refused = await classify(user);
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal(refused.body.errors[0].extensions.code, 'TOO_MANY_REQUESTS');
    assert.ok(refused.body.errors[0].extensions.retryAfterSeconds >= 1);
    assert.equal(refused.body.errors[0].extensions.http, undefined, 'no transport details in the body');
  });

  test('callers refused by @Authorized spend no budget (auth runs first)', async () => {
    const runner: Principal = { kind: 'runner', tokenId: 'runner-1' };
    for (let i = 0; i < 5; i++) {
      assert.equal((await classify(null)).body.errors[0].extensions.code, 'UNAUTHENTICATED');
      assert.equal((await classify(runner)).body.errors[0].extensions.code, 'FORBIDDEN');
    }
    assert.equal((await classify({ ...user, tokenId: 'api-2' })).status, 200);
  });

  test('over graphql-ws the error keeps its code and loses the `http` extension', () => {
    const located = new GraphQLError('Too many', { originalError: new TooManyRequestsError('Too many', 5) });
    const [formatted] = formatSocketErrors(formatError(log), [located]);
    assert.equal(formatted?.extensions?.code, 'TOO_MANY_REQUESTS');
    assert.equal(formatted?.extensions?.retryAfterSeconds, 5);
    assert.equal(formatted?.extensions?.http, undefined);
  });
});
