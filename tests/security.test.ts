// What an attacker on the network would try against a fresh server at its default settings
// (docs/security.md): introspection, malformed ids, the health probe.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  buildSchema,
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLInputType,
} from 'graphql';
import { createClient } from 'graphql-ws';
import { Client } from 'pg';
import WebSocket from 'ws';
import { AuthService } from '../server/auth/auth.service';
import { ensureClientBuilt, ROOT } from './e2e/browser';
import { gql, type GraphQLResponse } from './support/graphql';
import { startTestServer, type TestServer } from './support/server';

let srv: TestServer;
let admin: string;
let runner: string;
before(async () => {
  ensureClientBuilt(); // the server serves pages and assets only if the build exists when it starts
  srv = await startTestServer({ PERCEPT_SIGNUP: 'invite' });
  await new AuthService(srv.percept.db, 1).ensureAdmin('admin@example.com', 'admin password');
  const logIn = 'mutation { logIn(input: {email: "admin@example.com", password: "admin password"}) { token } }';
  admin = (await gql(srv.graphqlUrl, logIn)).data!.logIn.token;
  runner = (await gql(srv.graphqlUrl, 'mutation { createRunnerToken(name: "r") { secret } }', {}, admin)).data!
    .createRunnerToken.secret;
});
after(() => srv?.stop());

const codeOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions?.code;

/** The first answer to an operation sent over graphql-ws. */
const subscribeOnce = (query: string, token?: string) =>
  new Promise<GraphQLResponse>((resolve) => {
    const client = createClient({
      url: srv.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
    });
    const done = (r: GraphQLResponse) => {
      resolve(r);
      void client.dispose();
    };
    client.subscribe(
      { query },
      {
        next: (r) => done(r as GraphQLResponse),
        error: (e) => done({ errors: e as GraphQLResponse['errors'] }),
        complete: () => {},
      },
    );
  });

describe('introspection', () => {
  const full = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true });

  test('is for signed-in callers, over HTTP and WebSocket; GraphiQL and codegen still get the whole schema', async () => {
    assert.equal(codeOf(await gql(srv.graphqlUrl, full)), 'UNAUTHENTICATED');
    assert.equal(codeOf(await gql(srv.graphqlUrl, '{ __type(name: "Model") { name } }')), 'UNAUTHENTICATED');
    assert.equal(
      codeOf(await gql(srv.graphqlUrl, '{ ...F } fragment F on Query { __schema { queryType { name } } }')),
      'UNAUTHENTICATED',
    );
    assert.equal(
      (await gql(srv.graphqlUrl, '{ __typename }')).data?.__typename,
      'Query',
      '__typename is not introspection',
    );
    const signedIn = await gql(srv.graphqlUrl, full, {}, admin);
    assert.equal(signedIn.errors, undefined);
    assert.ok(signedIn.data!.__schema.types.some((t: { name: string }) => t.name === 'Model'));

    const socket = (token?: string) => subscribeOnce('{ __schema { queryType { name } } }', token);
    assert.equal(codeOf(await socket()), 'UNAUTHENTICATED');
    assert.equal((await socket(admin)).data?.__schema.queryType.name, 'Query');
  });

  test('is costed by the size of what it answers: twenty aliased copies are QUERY_TOO_COSTLY', async () => {
    const copies = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `s${i}: __schema { types { name fields { name } } }`).join(' ')} }`;
    const res = await fetch(srv.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: copies(20) }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as GraphQLResponse;
    assert.equal(codeOf(body), 'QUERY_TOO_COSTLY');
    assert.equal(body.data, undefined);
    // One copy is allowed (two passed the limit once the schema grew past ~2500 per copy).
    assert.equal((await gql(srv.graphqlUrl, copies(1), {}, admin)).errors, undefined);
  });
});

describe('malformed ids', () => {
  const schema = buildSchema(readFileSync(join(__dirname, '..', '..', 'schema.graphql'), 'utf8'));

  /** A value of `type` for a required argument, with every ID malformed. */
  const sample = (type: GraphQLInputType): unknown => {
    const t = getNullableType(type);
    if (isListType(t)) return [sample(t.ofType as GraphQLInputType)];
    if (isInputObjectType(t)) {
      const fields = Object.values(t.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
      return Object.fromEntries(fields.map((f) => [f.name, sample(f.type)]));
    }
    if (isEnumType(t)) return t.getValues()[0]!.value;
    const name = getNamedType(t).name;
    return { ID: 'not-a-uuid', String: 'x', Int: 1, Float: 0.5, Boolean: false, JSON: {} }[name] ?? null;
  };

  test('every operation taking an id answers BAD_USER_INPUT to one that is not a UUID, never INTERNAL_SERVER_ERROR', async () => {
    const wrong: string[] = [];
    for (const [keyword, type] of [
      ['query', schema.getQueryType()!],
      ['mutation', schema.getMutationType()!],
    ] as const) {
      for (const field of Object.values(type.getFields())) {
        const ids = (t: GraphQLInputType): boolean => {
          const n = getNamedType(t);
          return n.name === 'ID' || (isInputObjectType(n) && Object.values(n.getFields()).some((f) => ids(f.type)));
        };
        // Uploads need a multipart request; their operations' ids are checked the same way before the file is read.
        const args = field.args.filter((a) => isNonNullType(a.type) || ids(a.type));
        if (!field.args.some((a) => ids(a.type)) || args.some((a) => getNamedType(a.type).name === 'Upload')) continue;
        const vars = Object.fromEntries(args.map((a) => [a.name, sample(a.type)]));
        const defs = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
        const call = args.map((a) => `${a.name}: $${a.name}`).join(', ');
        const selection = isCompositeType(getNamedType(field.type)) ? '{ __typename }' : '';
        const doc = `${keyword}(${defs}) { ${field.name}(${call}) ${selection} }`;
        let res = await gql(srv.graphqlUrl, doc, vars, admin);
        if (codeOf(res) === 'FORBIDDEN') res = await gql(srv.graphqlUrl, doc, vars, runner);
        if (codeOf(res) !== 'BAD_USER_INPUT') wrong.push(`${field.name}: ${JSON.stringify(res.errors ?? res.data)}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});

describe('malformed ids over WebSocket', () => {
  test('a subscription to an id that is not a UUID is BAD_USER_INPUT', async () => {
    const wrong: string[] = [];
    for (const [field, arg] of [
      ['taskUpdated', 'id'],
      ['modelUpdated', 'id'],
      ['trainingProgress', 'modelId'],
      ['expansionProgress', 'modelId'],
    ]) {
      const res = await subscribeOnce(`subscription { ${field}(${arg}: "1 OR 1=1") { __typename } }`, admin);
      if (codeOf(res) !== 'BAD_USER_INPUT') wrong.push(`${field}: ${JSON.stringify(res)}`);
    }
    assert.deepEqual(wrong, []);
  });
});

describe('security headers', () => {
  test('on every page, asset and answer: a CSP without inline scripts, no framing, nosniff, no referrer', async () => {
    const script = readdirSync(join(ROOT, 'client', 'dist', 'assets')).find((f) => f.endsWith('.js'));
    assert.ok(script, 'the client build has a script');
    const answers = [
      await fetch(`${srv.url}/`),
      await fetch(`${srv.url}/models/x`),
      await fetch(`${srv.url}/graphiql`),
      await fetch(`${srv.url}/assets/${script}`),
      await fetch(`${srv.url}/healthz`),
      await fetch(srv.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      }),
      await fetch(`${srv.url}/files/thumbs/nothing`),
      await fetch(`${srv.url}/runner/nothing`),
    ];
    for (const res of answers) {
      const csp = res.headers.get('content-security-policy') ?? '';
      const where = `${res.url} (${res.status})`;
      const scripts = /(?:^|;\s*)script-src ([^;]*)/.exec(csp)?.[1] ?? /(?:^|;\s*)default-src ([^;]*)/.exec(csp)?.[1];
      assert.ok(scripts, `${where}: a CSP that governs scripts`);
      assert.doesNotMatch(scripts!, /unsafe-inline|unsafe-eval|\*|data:/, where);
      assert.match(csp, /frame-ancestors 'none'/, where);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', where);
      assert.match(res.headers.get('referrer-policy') ?? '', /^(no-referrer|same-origin|strict-origin)$/, where);
      await res.arrayBuffer();
    }
  });

  test('no source maps are served', async () => {
    for (const file of readdirSync(join(ROOT, 'client', 'dist', 'assets')).filter((f) => /\.(js|css)$/.test(f))) {
      const res = await fetch(`${srv.url}/assets/${file}.map`);
      assert.equal(res.status, 404, file);
      await res.arrayBuffer();
    }
    const vite = readFileSync(join(ROOT, 'client', 'vite.config.mts'), 'utf8');
    assert.match(vite, /sourcemap: false/, 'the build makes none');
  });
});

describe('sign-up', () => {
  const SIGN_UP = 'mutation($i: CredentialsInput!, $c: String) { signUp(input: $i, code: $c) { token user { role } } }';
  const signUpAs = (url: string, email: string, code?: string, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({
        query: SIGN_UP,
        variables: { i: { email, password: 'long enough pw' }, c: code ?? null },
      }),
    }).then((r) => r.json() as Promise<GraphQLResponse>);

  test('by invitation (the default): without one a stranger is refused alike, whether the email exists or not', async () => {
    const taken = await signUpAs(srv.graphqlUrl, 'admin@example.com');
    const free = await signUpAs(srv.graphqlUrl, 'nobody-yet@example.com');
    assert.equal(codeOf(taken), 'FORBIDDEN');
    assert.deepEqual(
      taken.errors?.map((e) => e.message),
      free.errors?.map((e) => e.message),
    );
    const invite = 'mutation($e: String) { createInvitation(email: $e) { code invitation { email expiresAt } } }';
    const bound = (await gql(srv.graphqlUrl, invite, { e: 'invited@example.com' }, admin)).data!.createInvitation;
    assert.equal(bound.invitation.email, 'invited@example.com');
    assert.equal(codeOf(await signUpAs(srv.graphqlUrl, 'someone-else@example.com', bound.code)), 'FORBIDDEN');
    const joined = await signUpAs(srv.graphqlUrl, 'invited@example.com', bound.code);
    assert.equal(joined.data?.signUp.user.role, 'USER', JSON.stringify(joined));
    const open = (await gql(srv.graphqlUrl, invite, {}, admin)).data!.createInvitation.code as string;
    assert.equal(codeOf(await signUpAs(srv.graphqlUrl, 'second@example.com', bound.code)), 'FORBIDDEN', 'used once');
    assert.equal((await signUpAs(srv.graphqlUrl, 'second@example.com', open)).data?.signUp.user.role, 'USER');
  });

  test('a fresh server is not taken by the first stranger: admin only from its own machine or with the setup code', async () => {
    const fresh = await startTestServer({ PERCEPT_SIGNUP: 'open' });
    try {
      const proxied = { 'x-forwarded-for': '203.0.113.9' };
      const stranger = await signUpAs(fresh.graphqlUrl, 'first@example.com', undefined, proxied);
      assert.equal(stranger.data?.signUp.user.role, 'USER', JSON.stringify(stranger));
      const code = await fresh.percept.services.auth.issueSetupCode(); // what the server printed at start
      assert.ok(code);
      assert.equal(codeOf(await signUpAs(fresh.graphqlUrl, 'guess@example.com', 'not-the-code', proxied)), undefined);
      const owner = await signUpAs(fresh.graphqlUrl, 'owner@example.com', code, proxied);
      assert.equal(owner.data?.signUp.user.role, 'ADMIN', JSON.stringify(owner));
      const again = await signUpAs(fresh.graphqlUrl, 'late@example.com', code, proxied);
      assert.equal(again.data?.signUp.user.role, 'USER', 'the setup code works once');
      const local = await signUpAs(fresh.graphqlUrl, 'local@example.com');
      assert.equal(local.data?.signUp.user.role, 'USER', 'and only while there is no admin');
    } finally {
      await fresh.stop();
    }
  });
});

describe('the health probe', () => {
  test('says the database is unavailable, without its error', async () => {
    const name = new URL(srv.databaseUrl).pathname.slice(1);
    const cluster = new Client({ connectionString: process.env.DATABASE_URL });
    await cluster.connect();
    try {
      await cluster.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await cluster.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      const res = await fetch(`${srv.url}/healthz`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { status: 'error', database: 'unavailable' });
    } finally {
      await cluster.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await cluster.end();
    }
    const back = async () => (await fetch(`${srv.url}/healthz`)).status;
    for (let i = 0; i < 50 && (await back()) !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await back(), 200);
  });
});
