import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildSchema, isCompositeType, getNamedType, type GraphQLField } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { CALLERS, FileVar, makeCallers, type Caller, type Fixtures } from './support/callers';
import { gql, gqlUpload, type GraphQLResponse } from './support/graphql';
import { startTestServer, type TestServer } from './support/server';

/**
 * Who may call each operation of schema.graphql, per caller. `ok`: no refusal (business errors
 * such as BAD_USER_INPUT still count as ok) — for a subscription, an event arrives; a code: that
 * exact refusal; HIDDEN (subscriptions): no error and no event although events happen, so the
 * object's existence is not revealed.
 */
type Outcome = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'HIDDEN';
type Expect = Record<Caller, Outcome>;

// The rows of server/auth/access.ts, and how the services scope objects to their owner.
const U = 'UNAUTHENTICATED';
const F = 'FORBIDDEN';
/** No @Authorized. */
const PUBLIC: Expect = {
  anonymous: 'ok',
  owner: 'ok',
  other: 'ok',
  full: 'ok',
  classify: 'ok',
  runner: 'ok',
  admin: 'ok',
};
/** Access.USER + Access.CLASSIFY, about the caller's own things. */
const SIGNED_IN: Expect = { ...PUBLIC, anonymous: U, runner: F };
/** Access.USER, about the caller's own things. */
const FULL: Expect = { ...SIGNED_IN, classify: F };
/** Access.USER on the owner's object: another user is told it does not exist. */
const OWNED: Expect = { ...FULL, other: 'NOT_FOUND' };
/** Access.USER + Access.CLASSIFY on the owner's object. */
const OWNED_CLASSIFY: Expect = { ...SIGNED_IN, other: 'NOT_FOUND' };
const ADMIN: Expect = { anonymous: U, owner: F, other: F, full: F, classify: F, runner: F, admin: 'ok' };
const RUNNER: Expect = { ...ADMIN, runner: 'ok', admin: F };

type Vars = (f: Fixtures, caller: Caller) => Record<string, unknown> | Promise<Record<string, unknown>>;
/**
 * `vars`: the arguments to pass (others are left out); `fresh`: call with a spendable token;
 * `event` (subscriptions): makes a change that every caller allowed to see it must receive.
 */
interface Entry {
  who: Expect;
  vars?: Vars;
  fresh?: boolean;
  event?: (f: Fixtures) => Promise<void>;
}

// One line per operation. A new operation in schema.graphql fails the first test until it is added here.
const MATRIX: Record<string, Entry> = {
  'Query.apiTokens': { who: FULL },
  'Query.dataset': { who: OWNED, vars: (f) => ({ modelId: f.model }) },
  'Query.expansionRun': { who: OWNED, vars: (f) => ({ modelId: f.model }) },
  'Query.heads': { who: OWNED, vars: (f) => ({ modelId: f.model }) },
  'Query.images': { who: OWNED, vars: (f) => ({ modelId: f.model }) },
  'Query.importReport': { who: OWNED, vars: (f) => ({ taskId: f.importTask }) },
  'Query.me': { who: FULL },
  'Query.model': { who: OWNED, vars: (f) => ({ id: f.model }) },
  'Query.limits': { who: SIGNED_IN },
  'Query.modelEvaluation': { who: OWNED, vars: (f) => ({ modelId: f.model }) },
  'Query.models': { who: FULL },
  'Query.runnerTokens': { who: ADMIN },
  'Query.runners': { who: ADMIN },
  // A classify-only token sees its owner's batch tasks only (tests/services/access.test.ts), not this import.
  'Query.task': { who: { ...OWNED_CLASSIFY, classify: 'NOT_FOUND' }, vars: (f) => ({ id: f.importTask }) },
  'Query.tasks': { who: FULL },
  'Query.trainingRun': { who: OWNED, vars: (f) => ({ modelId: f.model }) },
  'Query.users': { who: ADMIN },

  'Mutation.cancelTask': { who: OWNED, vars: (f) => ({ id: f.importTask }) },
  'Mutation.claimTask': { who: RUNNER, vars: (f) => ({ runnerId: f.runnerId }) },
  'Mutation.classify': {
    who: OWNED_CLASSIFY,
    vars: (f) => ({ modelId: f.model, image: { base64: f.samplePngBase64 } }),
  },
  'Mutation.classifyBatch': { who: OWNED_CLASSIFY, vars: (f) => ({ modelId: f.model, archive: f.junkFile }) },
  'Mutation.completeTask': { who: RUNNER, vars: async (f) => ({ report: await f.claimedReport(), result: {} }) },
  'Mutation.createApiToken': { who: FULL, vars: () => ({ input: { name: 'matrix' } }) },
  'Mutation.createInvitation': { who: ADMIN, vars: () => ({ email: 'invited@example.com' }) },
  'Mutation.createDiagnosticTask': { who: ADMIN, vars: () => ({ sleepMs: 0 }) },
  'Mutation.createModel': { who: FULL, vars: (f) => ({ input: { name: 'm', sampleImage: f.samplePng } }) },
  'Mutation.createRunnerToken': { who: ADMIN, vars: () => ({ name: 'matrix' }) },
  // With a wrong password: reaching the service (BAD_USER_INPUT) is the pass; deleting is tests/accounts.test.ts.
  'Mutation.deleteAccount': { who: FULL, vars: () => ({ password: 'not the password' }) },
  'Mutation.deleteClass': { who: OWNED, vars: (f) => ({ id: f.modelClass() }) },
  'Query.classThresholds': { who: OWNED, vars: (f) => ({ modelId: f.model }) },
  'Mutation.setTargetPrecision': { who: OWNED, vars: (f) => ({ modelId: f.model, targetPrecision: 0.9 }) },
  'Mutation.setClassThreshold': { who: OWNED, vars: (f) => ({ classId: f.keptClass, threshold: 0.5 }) },
  'Query.reviewQueue': { who: OWNED, vars: (f) => ({ modelId: f.model }) },
  'Mutation.labelImages': { who: OWNED, vars: async (f) => ({ ids: [await f.newKeptImage()], classId: f.keptClass }) },
  'Mutation.discardImages': { who: OWNED, vars: async (f) => ({ ids: [await f.newKeptImage()] }) },
  'Mutation.setKeepUncertain': { who: OWNED, vars: (f) => ({ modelId: f.model, keepUncertain: false }) },
  'Mutation.deleteDataset': { who: OWNED, vars: async (f) => ({ modelId: await f.newModel() }) },
  'Mutation.deleteImage': { who: OWNED, vars: (f) => ({ id: f.image() }) },
  'Mutation.deleteUser': { who: ADMIN, vars: async (f) => ({ userId: await f.newUserId() }) },
  'Mutation.deleteModel': { who: OWNED, vars: async (f) => ({ id: await f.newModel() }) },
  'Mutation.expandModel': { who: OWNED, vars: (f) => ({ modelId: f.model }) },
  // The matrix's model has no trained network: reaching the service (BAD_USER_INPUT) is the pass.
  'Mutation.exportModel': { who: OWNED, vars: (f) => ({ modelId: f.model }) },
  'Mutation.failTask': { who: RUNNER, vars: async (f) => ({ report: await f.claimedReport(), error: 'matrix' }) },
  'Mutation.importDataset': { who: OWNED, vars: async (f) => ({ modelId: await f.newModel(), file: f.junkFile }) },
  'Mutation.importModel': { who: FULL, vars: (f) => ({ file: f.junkFile, name: 'imported' }) },
  'Mutation.logIn': {
    who: PUBLIC,
    vars: () => ({ input: { email: 'owner@example.com', password: 'correct horse battery' } }),
  },
  'Mutation.logOut': { who: SIGNED_IN, fresh: true },
  'Mutation.registerRunner': { who: RUNNER, vars: () => ({ name: 'matrix-2', backend: 'cpu', device: 'test' }) },
  'Mutation.removeHead': { who: OWNED, vars: async (f) => ({ id: await f.newHead() }) },
  'Mutation.reportTaskProgress': {
    who: RUNNER,
    vars: async (f) => ({ report: await f.claimedReport(), progress: {} }),
  },
  'Mutation.restartRunner': { who: ADMIN, vars: (f) => ({ id: f.runnerId }) },
  'Mutation.revokeApiToken': { who: OWNED, vars: async (f) => ({ id: await f.newApiTokenId() }) },
  'Mutation.revokeRunnerToken': { who: ADMIN, vars: async (f) => ({ id: await f.newRunnerTokenId() }) },
  'Mutation.runnerHeartbeat': { who: RUNNER, vars: (f) => ({ runnerId: f.runnerId }) },
  'Mutation.setRunnerDisabled': { who: ADMIN, vars: (f) => ({ id: f.runnerId, disabled: false }) },
  'Mutation.setUserDisabled': { who: ADMIN, vars: (f) => ({ userId: f.spareUserId, disabled: false }) },
  'Mutation.setUserRole': { who: ADMIN, vars: (f) => ({ userId: f.spareUserId, role: 'USER' }) },
  'Mutation.signUp': {
    who: PUBLIC,
    vars: (_f, c) => ({ input: { email: `new-${c}@example.com`, password: 'long enough' } }),
  },
  'Mutation.trainModel': { who: OWNED, vars: async (f) => ({ modelId: await f.newModel() }) },
  'Mutation.updateModel': { who: OWNED, vars: (f) => ({ id: f.model, input: { name: 'renamed' } }) },
  'Mutation.updateTask': { who: ADMIN, vars: (f) => ({ id: f.importTask, input: { priority: 0 } }) },

  'Subscription.expansionProgress': {
    who: OWNED,
    vars: (f) => ({ modelId: f.model }),
    event: (f) => f.events.expandTaskChanged(),
  },
  'Subscription.modelUpdated': {
    who: OWNED,
    vars: (f) => ({ id: f.model }),
    event: (f) => f.events.modelChanged(),
  },
  'Subscription.runnerChanged': { who: ADMIN, event: (f) => f.events.runnerChanged() },
  'Subscription.runnerWakeup': { who: RUNNER, event: (f) => f.events.importTaskChanged() },
  // Another user's task stream stays silent (tasks.subscribeOne filters) rather than NOT_FOUND.
  'Subscription.taskUpdated': {
    who: { ...OWNED_CLASSIFY, other: 'HIDDEN', classify: 'HIDDEN' },
    vars: (f) => ({ id: f.importTask }),
    event: (f) => f.events.importTaskChanged(),
  },
  // Every signed-in user may listen; another user hears nothing of the owner's tasks.
  'Subscription.tasksChanged': { who: { ...FULL, other: 'HIDDEN' }, event: (f) => f.events.importTaskChanged() },
  'Subscription.trainingProgress': {
    who: OWNED,
    vars: (f) => ({ modelId: f.model }),
    event: (f) => f.events.trainTaskChanged(),
  },
};

// Plain HTTP endpoints beside GraphQL (not in schema.graphql), under the same rules.
const REST: Record<string, { who: Expect; call: (f: Fixtures, token: string | undefined) => Promise<Response> }> = {
  'POST /v1/models/{id}/classify': {
    who: OWNED_CLASSIFY,
    call: (f, token) =>
      fetch(`${srv.url}/v1/models/${f.model}/classify`, {
        method: 'POST',
        headers: { 'content-type': 'image/png', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: Buffer.from(f.samplePngBase64, 'base64'),
      }),
  },
};

const schema = buildSchema(readFileSync(join(__dirname, '..', '..', 'schema.graphql'), 'utf8'));
const ROOTS = { Query: 'query', Mutation: 'mutation', Subscription: 'subscription' } as const;
const operations = new Map<string, { keyword: string; field: GraphQLField<unknown, unknown> }>();
for (const [typeName, keyword] of Object.entries(ROOTS)) {
  const type = schema.getType(typeName);
  if (!type || !('getFields' in type)) continue;
  for (const field of Object.values(type.getFields())) operations.set(`${typeName}.${field.name}`, { keyword, field });
}

/** `mutation($id: ID!) { deleteModel(id: $id) }`, passing exactly the variables given. */
function documentFor(op: string, vars: Record<string, unknown>): string {
  const { keyword, field } = operations.get(op)!;
  const args = field.args.filter((a) => a.name in vars);
  const defs = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const call = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isCompositeType(getNamedType(field.type)) ? '{ __typename }' : '';
  return `${keyword}${defs ? `(${defs})` : ''} { ${field.name}${call ? `(${call})` : ''} ${selection} }`;
}

/** The refusal a response carries, or ok (no error, or only a business error). */
function outcomeOf(res: GraphQLResponse): string {
  const code = res.errors?.[0]?.extensions?.code;
  if (!res.errors?.length || code === 'BAD_USER_INPUT') return 'ok';
  return code ?? `no code: ${res.errors[0]?.message}`;
}

/** Replaces FileVar values with null and returns them by variable path, for a multipart request. */
function splitFiles(vars: Record<string, unknown>) {
  const files: Record<string, { data: Buffer; filename: string; type: string }> = {};
  const walk = (v: unknown, path: string): unknown => {
    if (v instanceof FileVar) {
      files[path] = { data: v.data, filename: v.filename, type: v.type };
      return null;
    }
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, path ? `${path}.${k}` : k)]));
    }
    return v;
  };
  return { variables: walk(vars, '') as Record<string, unknown>, files };
}

let srv: TestServer;
let f: Fixtures;

async function callHttp(op: string, vars: Record<string, unknown>, token: string | undefined): Promise<string> {
  const query = documentFor(op, vars);
  const { variables, files } = splitFiles(vars);
  const res = Object.keys(files).length
    ? await gqlUpload(srv.graphqlUrl, query, variables, files, token)
    : await gql(srv.graphqlUrl, query, variables, token);
  return outcomeOf(res);
}

/**
 * The first message of a subscription: its refusal, ok (an event), or silent (nothing within the
 * wait). `event` is made again every 100 ms meanwhile, since the server may not have subscribed yet.
 */
function callSocket(
  op: string,
  vars: Record<string, unknown>,
  token: string | undefined,
  event: () => Promise<void>,
): Promise<string> {
  const client = createClient({
    url: srv.graphqlUrl.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
  let settled = false;
  const events = setInterval(() => void event().catch(() => {}), 100);
  return new Promise<string>((resolve) => {
    const timer = setTimeout(() => settle('silent'), 1500);
    const settle = (outcome: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    client.subscribe(
      { query: documentFor(op, vars), variables: vars },
      {
        next: (r) => settle(outcomeOf(r as GraphQLResponse)),
        error: (e) => settle(Array.isArray(e) ? outcomeOf({ errors: e }) : `socket closed: ${String(e)}`),
        complete: () => settle('silent'),
      },
    );
  }).finally(() => {
    clearInterval(events);
    return client.dispose();
  });
}

function matches(expected: Outcome, actual: string): boolean {
  if (expected === 'HIDDEN') return actual === 'silent';
  return actual === expected;
}

before(async () => {
  srv = await startTestServer({ PERCEPT_TASK_LEASE_MS: '600000' });
  f = await makeCallers(srv);
});
after(() => srv?.stop());

describe('the matrix covers schema.graphql', () => {
  test('every query, mutation and subscription has an entry', () => {
    const missing = [...operations.keys()].filter((op) => !(op in MATRIX));
    assert.deepEqual(missing, [], `add to MATRIX in tests/authorization.test.ts: ${missing.join(', ')}`);
  });

  test('every subscription has an event to receive', () => {
    const without = Object.keys(MATRIX).filter((op) => op.startsWith('Subscription.') && !MATRIX[op]!.event);
    assert.deepEqual(without, [], `give these an event in tests/authorization.test.ts: ${without.join(', ')}`);
  });

  test('every entry names an operation that exists', () => {
    const stale = Object.keys(MATRIX).filter((op) => !operations.has(op));
    assert.deepEqual(stale, [], `remove from MATRIX (no longer in schema.graphql): ${stale.join(', ')}`);
  });
});

describe('who may call what', () => {
  for (const [op, entry] of Object.entries(MATRIX)) {
    test(op, { skip: !operations.has(op) && 'not in schema.graphql' }, async () => {
      const subscription = op.startsWith('Subscription.');
      const actual = await Promise.all(
        CALLERS.map(async (caller) => {
          const token = entry.fresh ? await f.freshToken(caller) : f.tokens[caller];
          const vars = (await entry.vars?.(f, caller)) ?? {};
          return subscription ? callSocket(op, vars, token, () => entry.event!(f)) : callHttp(op, vars, token);
        }),
      );
      const wrong = CALLERS.filter((c, i) => !matches(entry.who[c], actual[i]!)).map(
        (c) => `${c}: expected ${entry.who[c]}, got ${actual[CALLERS.indexOf(c)]}`,
      );
      const row = Object.fromEntries(CALLERS.map((c, i) => [c, actual[i]]));
      assert.deepEqual(wrong, [], `every outcome: ${JSON.stringify(row)}`);
    });
  }
});

describe('who may call the plain HTTP endpoints', () => {
  for (const [endpoint, entry] of Object.entries(REST)) {
    test(endpoint, async () => {
      const actual = await Promise.all(
        CALLERS.map(async (caller) => {
          const res = await entry.call(f, f.tokens[caller]);
          return res.ok ? 'ok' : outcomeOf((await res.json()) as GraphQLResponse);
        }),
      );
      const wrong = CALLERS.filter((c, i) => !matches(entry.who[c], actual[i]!));
      assert.deepEqual(
        wrong,
        [],
        `every outcome: ${JSON.stringify(Object.fromEntries(CALLERS.map((c, i) => [c, actual[i]])))}`,
      );
    });
  }
});
