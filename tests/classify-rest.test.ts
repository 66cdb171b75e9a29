import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createModel, png, signUp } from './support/fixtures';
import { gql } from './support/graphql';
import { startTestServer, type TestServer } from './support/server';
import { syntheticZip, trainedModel } from './support/training';

// POST /v1/models/{id}/classify: the image as the body, the same rules and answer as `classify`.
let srv: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;
let modelId: string;
let image: Buffer;

const LIMIT_BYTES = 64 * 1024;
const PER_MINUTE = 40;

before(async () => {
  srv = await startTestServer({
    PERCEPT_LOCAL_RUNNERS: '1',
    PERCEPT_MAX_UPLOAD_BYTES: String(LIMIT_BYTES),
    PERCEPT_CLASSIFY_PER_MINUTE: String(PER_MINUTE),
  });
  await signUp(srv.graphqlUrl); // the admin
  owner = await signUp(srv.graphqlUrl);
  const data = await syntheticZip({ classes: 2, perClass: 12, side: 12, heldOutPerClass: 1 });
  modelId = await trainedModel(srv.graphqlUrl, owner.token, { name: 'rest', side: 12, data, maxEpochs: 1 });
  image = data.heldOut[0]!.png;
});
after(() => srv?.stop());

function rest(id: string, body: Buffer, opts: { token?: string; type?: string; query?: string } = {}) {
  return fetch(`${srv.url}/v1/models/${id}/classify${opts.query ?? ''}`, {
    method: 'POST',
    headers: {
      'content-type': opts.type ?? 'image/png',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body,
  });
}

async function refusal(res: Response): Promise<{ status: number; code: unknown; message: string }> {
  const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
  return { status: res.status, code: body.errors[0]!.extensions.code, message: body.errors[0]!.message };
}

describe('POST /v1/models/{id}/classify', () => {
  test('answers with the same JSON as the classify mutation, topK from the query', async () => {
    const res = await rest(modelId, image, { token: owner.token, query: '?topK=2' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const answer = (await res.json()) as { predictions: unknown[] };
    const viaGraphql = await gql(
      srv.graphqlUrl,
      'mutation($m: ID!, $i: ImageInput!) { classify(modelId: $m, image: $i, topK: 2) { predictions { className classIndex probability } accepted threshold candidateId keptImageId } }',
      { m: modelId, i: { base64: image.toString('base64') } },
      owner.token,
    );
    assert.deepEqual(answer, viaGraphql.data!.classify);
    assert.equal(answer.predictions.length, 2);
    // application/octet-stream works too, and topK defaults to 5 (capped by the class count).
    const raw = await rest(modelId, image, { token: owner.token, type: 'application/octet-stream' });
    assert.equal(raw.status, 200);
    assert.equal(((await raw.json()) as { predictions: unknown[] }).predictions.length, 2);
  });

  test('a classify-scoped API token is enough', async () => {
    const created = await gql(
      srv.graphqlUrl,
      'mutation { createApiToken(input: {name: "rest", scope: CLASSIFY}) { secret } }',
      {},
      owner.token,
    );
    const res = await rest(modelId, image, { token: created.data!.createApiToken.secret });
    assert.equal(res.status, 200);
  });

  test('refusals are JSON with the GraphQL codes and the matching HTTP status', async () => {
    const other = await signUp(srv.graphqlUrl);
    const cases: [string, Promise<Response>, number, string][] = [
      ['no token', rest(modelId, image), 401, 'UNAUTHENTICATED'],
      ['a forged token', rest(modelId, image, { token: 'pct_forged' }), 401, 'UNAUTHENTICATED'],
      ['another user’s model', rest(modelId, image, { token: other.token }), 404, 'NOT_FOUND'],
      ['no such model', rest('not-a-model', image, { token: owner.token }), 404, 'NOT_FOUND'],
      ['a bad topK', rest(modelId, image, { token: owner.token, query: '?topK=0' }), 400, 'BAD_USER_INPUT'],
      ['not an image', rest(modelId, Buffer.from('hello'), { token: owner.token }), 400, 'BAD_USER_INPUT'],
      ['an empty body', rest(modelId, Buffer.alloc(0), { token: owner.token }), 400, 'BAD_USER_INPUT'],
      [
        'a JSON body',
        rest(modelId, Buffer.from('{}'), { token: owner.token, type: 'application/json' }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'past the size limit',
        rest(modelId, Buffer.alloc(LIMIT_BYTES + 1), { token: owner.token }),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
    ];
    for (const [what, res, status, code] of cases) {
      const got = await refusal(await res);
      assert.deepEqual([got.status, got.code], [status, code], `${what}: ${got.message}`);
    }
  });

  test('REST and GraphQL share the per-token rate limit: 429 with Retry-After', async () => {
    const user = await signUp(srv.graphqlUrl);
    const mine = (await createModel(srv.graphqlUrl, user.token, 'limited', await png(12, 12, 1))).id;
    // Half over GraphQL, half over REST (untrained: BAD_USER_INPUT, which still counts).
    for (let i = 0; i < PER_MINUTE / 2; i++) {
      await gql(
        srv.graphqlUrl,
        'mutation($m: ID!, $i: ImageInput!) { classify(modelId: $m, image: $i) { candidateId } }',
        { m: mine, i: { base64: image.toString('base64') } },
        user.token,
      );
    }
    for (let i = 0; i < PER_MINUTE / 2; i++) assert.equal((await rest(mine, image, { token: user.token })).status, 400);
    const res = await rest(mine, image, { token: user.token });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    const got = await refusal(res);
    assert.equal(got.code, 'TOO_MANY_REQUESTS');
  });
});
