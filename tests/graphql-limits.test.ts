import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { getIntrospectionQuery } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { png } from './support/fixtures';
import { gqlUpload } from './support/graphql';
import { startTestServer, type TestServer } from './support/server';

// Tight limits, so each can be crossed with a small document (Percept's deepest path today is 3).
const ENV = {
  PERCEPT_MAX_QUERY_DEPTH: '2',
  PERCEPT_MAX_QUERY_COST: '200',
  PERCEPT_MAX_ALIASES: '5',
  PERCEPT_MAX_ROOT_FIELDS: '3',
  PERCEPT_MAX_QUERY_TOKENS: '1000',
  PERCEPT_MAX_REQUEST_BYTES: String(64 * 1024),
  PERCEPT_CLASSIFY_PER_MINUTE: '2',
};

let srv: TestServer;
let token: string;
before(async () => {
  srv = await startTestServer(ENV);
  // Through the service: signUp's own selection (`user { id }`) is deeper than these limits allow.
  token = (await srv.percept.services.auth.signUp('limits@example.com', 'correct horse battery')).token;
});
after(() => srv.stop());

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(srv.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await res.json()) as { data?: any; errors?: { message: string; extensions: Record<string, any> }[] };
  return { status: res.status, ...json };
}

const TOKEN_FIELDS = 'id name prefix scope kind createdAt expiresAt lastUsedAt';

describe('GraphQL limits over HTTP', () => {
  test('each limit refuses with HTTP 400, its own code, the limit and the actual value', async () => {
    const cases: [string, string][] = [
      ['{ models { items { id } } }', 'QUERY_TOO_DEEP'],
      [`{ ${Array.from({ length: 6 }, (_, i) => `a${i}: me { id }`).join(' ')} }`, 'TOO_MANY_ALIASES'],
      ['{ me { id } models { totalCount } tasks { totalCount } runners { id } }', 'TOO_MANY_ROOT_FIELDS'],
      // 3 × (1 + 10 tokens × 8 fields): a list without `first` counts 10 items.
      [
        `{ a: apiTokens { ${TOKEN_FIELDS} } b: apiTokens { ${TOKEN_FIELDS} } c: apiTokens { ${TOKEN_FIELDS} } }`,
        'QUERY_TOO_COSTLY',
      ],
    ];
    for (const [query, code] of cases) {
      const res = await post({ query });
      assert.equal(res.status, 400, query);
      assert.equal(res.errors?.[0]?.extensions.code, code, JSON.stringify(res));
      assert.ok(res.errors?.[0]?.extensions.actual > res.errors?.[0]?.extensions.limit);
      assert.equal(res.errors?.[0]?.extensions.http, undefined);
      assert.equal(res.data, undefined, 'nothing ran');
    }
  });

  test('queries within the limits run', async () => {
    const res = await post({
      query: `{ a: apiTokens { ${TOKEN_FIELDS} } b: apiTokens { ${TOKEN_FIELDS} } me { id } }`,
    });
    assert.equal(res.status, 200, JSON.stringify(res.errors));
    assert.deepEqual(res.data?.a, []);
  });

  test('introspection is costed by the schema it answers: under this tight cost limit it is refused', async () => {
    // At the default limits GraphiQL's full query passes: tests/security.test.ts.
    const res = await post({ query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true }) });
    assert.equal(res.status, 400);
    assert.equal(res.errors?.[0]?.extensions.code, 'QUERY_TOO_COSTLY', JSON.stringify(res.errors));
  });

  test('a document past the token limit is refused before validation', async () => {
    const res = await post({ query: `{ ${'me { id } '.repeat(300)} }` });
    assert.equal(res.status, 400);
    assert.equal(res.errors?.[0]?.extensions.code, 'GRAPHQL_PARSE_FAILED');
    assert.match(res.errors?.[0]?.message ?? '', /more th.. 1000 tokens/);
  });

  test('a JSON body with huge variables is 413 PAYLOAD_TOO_LARGE, before any GraphQL work', async () => {
    const res = await post({ query: '{ me { id } }', variables: { pad: 'x'.repeat(100 * 1024) } });
    assert.equal(res.status, 413);
    assert.equal(res.errors?.[0]?.extensions.code, 'PAYLOAD_TOO_LARGE');
  });

  test('a multipart request whose `operations` field is huge is 413 PAYLOAD_TOO_LARGE too', async () => {
    const form = new FormData();
    form.set(
      'operations',
      JSON.stringify({ query: '{ me { id } }', variables: { pad: 'x'.repeat(100 * 1024), file: null } }),
    );
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new Blob([Buffer.from('png')]), 'a.png');
    const res = await fetch(srv.graphqlUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
      body: form,
    });
    const json = (await res.json()) as { errors: { extensions: { code: string } }[] };
    assert.equal(res.status, 413);
    assert.equal(json.errors[0]?.extensions.code, 'PAYLOAD_TOO_LARGE');
  });
});

describe('uploads and CSRF', () => {
  test(
    'a multipart request without a preflight header is refused as CSRF, without waiting for its files',
    { timeout: 10_000 },
    async () => {
      // The body never ends: a browser form cannot set the header, and the refusal comes before the file.
      const boundary = 'percept-boundary';
      const part = (name: string, value: string, file = '') =>
        `--${boundary}\r\ncontent-disposition: form-data; name="${name}"${file}\r\n\r\n${value}\r\n`;
      const query = 'mutation($f: Upload!) { importDataset(modelId: "x", file: $f) { id } }';
      const head =
        part('operations', JSON.stringify({ query, variables: { f: null } })) +
        part('map', JSON.stringify({ 0: ['variables.f'] })) +
        `--${boundary}\r\ncontent-disposition: form-data; name="0"; filename="a.zip"\r\n\r\n`;
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(srv.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${token}` },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => (resolve({ status: res.statusCode ?? 0, body: text }), req.destroy()));
        });
        req.on('error', reject);
        req.write(head + 'PK'.repeat(1000));
      });
      assert.equal(status, 400);
      assert.match(body, /Cross-Site Request Forgery/);
      assert.equal(JSON.parse(body).errors[0].extensions.code, 'BAD_REQUEST');
    },
  );

  test('mutations over GET are refused (a link or an <img> cannot change anything)', async () => {
    const res = await fetch(`${srv.graphqlUrl}?query=${encodeURIComponent('mutation { logOut }')}`, {
      headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    });
    assert.equal(res.status, 405);
    assert.equal(((await res.json()) as any).errors[0].extensions.code, 'BAD_REQUEST');
  });
});

describe('GraphQL limits over graphql-ws', () => {
  const first = (query: string, variables: Record<string, unknown> = {}) => {
    const client = createClient({
      url: srv.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    return new Promise<unknown>((resolve) => {
      const stop = client.subscribe(
        { query, variables },
        {
          next: (v) => (stop(), resolve(v)),
          error: (e) => resolve(Array.isArray(e) ? { errors: e } : { closed: (e as { code: number }).code }),
          complete: () => resolve('complete'),
        },
      );
    }).finally(() => client.dispose());
  };

  test('a subscription over the limits gets the same codes as HTTP', async () => {
    const aliases = await first(
      `subscription { ${Array.from({ length: 6 }, (_, i) => `a${i}: tasksChanged { id }`).join(' ')} }`,
    );
    assert.match(JSON.stringify(aliases), /TOO_MANY_ALIASES/);
    assert.doesNotMatch(JSON.stringify(aliases), /"http"/, 'no transport details over the socket');
    const parseFailed = await first('subscription {');
    assert.match(JSON.stringify(parseFailed), /GRAPHQL_PARSE_FAILED/);
    const invalid = await first('subscription { nope }');
    assert.match(JSON.stringify(invalid), /GRAPHQL_VALIDATION_FAILED/);
  });

  test('a message larger than the request limit closes the socket (1009)', async () => {
    const res = await first('subscription($pad: String) { tasksChanged { id } }', { pad: 'x'.repeat(100 * 1024) });
    assert.deepEqual(res, { closed: 1009 });
  });
});

describe('classify rate limit', () => {
  test('past its per-token budget classify is HTTP 429 with Retry-After', async () => {
    const created = await gqlUpload(
      srv.graphqlUrl,
      'mutation($input: CreateModelInput!) { createModel(input: $input) { id } }',
      { input: { name: 'limited', sampleImage: null } },
      { 'input.sampleImage': { data: await png(8, 8), filename: 's.png', type: 'image/png' } },
      token,
    );
    const modelId = created.data?.createModel.id as string;
    const image = { base64: (await png(8, 8)).toString('base64') };
    const classify = () =>
      post({
        query: 'mutation($m: ID!, $i: ImageInput!) { classify(modelId: $m, image: $i) { candidateId } }',
        variables: { m: modelId, i: image },
      });
    // The model is untrained: the first two are BAD_USER_INPUT, but they count.
    for (let i = 0; i < 2; i++) assert.equal((await classify()).errors?.[0]?.extensions.code, 'BAD_USER_INPUT');
    const res = await fetch(srv.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: 'mutation($m: ID!, $i: ImageInput!) { classify(modelId: $m, image: $i) { candidateId } }',
        variables: { m: modelId, i: image },
      }),
    });
    assert.equal(res.status, 429);
    assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    assert.equal(body.errors[0]?.extensions.code, 'TOO_MANY_REQUESTS');
  });
});

describe('transport', () => {
  test('a subscription sent over HTTP is a clear BAD_REQUEST pointing at graphql-ws', async () => {
    const res = await post({ query: 'subscription { tasksChanged { id } }' });
    assert.equal(res.errors?.[0]?.extensions.code, 'BAD_REQUEST');
    assert.match(res.errors?.[0]?.message ?? '', /graphql-ws/);
  });
});
