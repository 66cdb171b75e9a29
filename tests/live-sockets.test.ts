import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { TaskType } from '../server/tasks/task.entity';
import { signUp } from './support/fixtures';
import { gql } from './support/graphql';
import { startTestServer, type TestServer } from './support/server';
import { waitFor } from './support/wait';

// Open sockets follow the identity they were opened with: they close (4401, or 4403 for a role
// change) when it changes, and nothing reaches them afterwards; subscriptions are capped.
let srv: TestServer;
let admin: Awaited<ReturnType<typeof signUp>>;

before(async () => {
  srv = await startTestServer({ PERCEPT_MAX_SUBSCRIPTIONS_PER_SOCKET: '3', PERCEPT_MAX_SUBSCRIPTIONS_PER_USER: '5' });
  admin = await signUp(srv.url + '/graphql'); // the first account is the admin
});
after(() => srv?.stop());

/** A task of `ownerId`'s: one TASK_CHANGED event (no runners, so it stays queued). */
async function taskOf(ownerId: string): Promise<string> {
  const t = await srv.percept.services.tasks.enqueue({
    type: TaskType.NOOP,
    payload: { sleepMs: 0 },
    ownerId,
    modelId: null,
  });
  return t.id;
}

interface Watch {
  client: Client;
  /** Ids of the tasks received, in order. */
  ids: string[];
  errors: unknown[];
  /** The close event, once the socket closed. */
  closed: Promise<{ code: number; reason: string }>;
}

/** A socket with the token, and a tasksChanged subscription on it. */
function watchTasks(token: string): Watch {
  let onClosed!: (e: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (onClosed = r));
  const client = createClient({
    url: srv.graphqlUrl.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    on: { closed: (e) => onClosed(e as { code: number; reason: string }) },
  });
  const w: Watch = { client, ids: [], errors: [], closed };
  client.subscribe(
    { query: 'subscription { tasksChanged { id } }' },
    {
      next: (v) => w.ids.push((v.data as { tasksChanged: { id: string } }).tasksChanged.id),
      error: (e) => w.errors.push(e),
      complete: () => {},
    },
  );
  return w;
}

/** Makes tasks until the subscriber has received one (it may not have subscribed yet). */
async function flowing(w: Watch, ownerId: string): Promise<void> {
  const made: string[] = [];
  await waitFor(
    'an event on the socket',
    async () => {
      made.push(await taskOf(ownerId));
      await new Promise((r) => setTimeout(r, 50));
      return made.some((id) => w.ids.includes(id));
    },
    10_000,
  );
}

/** Nothing more arrives, although events happen that the old identity would have received. */
async function silentAfterClose(w: Watch, ownerId: string): Promise<void> {
  const before = w.ids.length;
  for (let i = 0; i < 5; i++) await taskOf(ownerId);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(w.ids.length, before, 'no event after the identity changed');
}

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen in ${ms} ms`)), ms)),
  ]);

describe('identity on open sockets', () => {
  test('logOut closes the sockets of that session with 4401, and no event follows', async () => {
    const user = await signUp(srv.graphqlUrl);
    const w = watchTasks(user.token);
    await flowing(w, user.user.id);
    const t0 = Date.now();
    await gql(srv.graphqlUrl, 'mutation { logOut }', {}, user.token);
    const closed = await within(w.closed, 3000, 'the socket closing');
    assert.equal(closed.code, 4401);
    assert.match(closed.reason, /logged out/i);
    assert.ok(Date.now() - t0 < 3000);
    await silentAfterClose(w, user.user.id);
    await w.client.dispose();
  });

  test('revoking an API token closes its sockets; the same user on another token keeps going', async () => {
    const user = await signUp(srv.graphqlUrl);
    const created = await gql(
      srv.graphqlUrl,
      'mutation { createApiToken(input: {name: "live"}) { secret token { id } } }',
      {},
      user.token,
    );
    const { secret, token } = created.data!.createApiToken;
    const revoked = watchTasks(secret);
    const kept = watchTasks(user.token);
    await flowing(revoked, user.user.id);
    await flowing(kept, user.user.id);
    await gql(srv.graphqlUrl, 'mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id: token.id }, user.token);
    const closed = await within(revoked.closed, 3000, 'the socket closing');
    assert.equal(closed.code, 4401);
    assert.match(closed.reason, /revoked/i);
    await silentAfterClose(revoked, user.user.id);
    await flowing(kept, user.user.id);
    await Promise.all([revoked.client.dispose(), kept.client.dispose()]);
  });

  test('an admin disabling a user, or a user deleting their account, closes their sockets with 4401', async () => {
    const disabled = await signUp(srv.graphqlUrl);
    const w = watchTasks(disabled.token);
    await flowing(w, disabled.user.id);
    await gql(
      srv.graphqlUrl,
      'mutation($u: ID!) { setUserDisabled(userId: $u, disabled: true) { id } }',
      { u: disabled.user.id },
      admin.token,
    );
    const closed = await within(w.closed, 3000, 'the disabled user’s socket closing');
    assert.equal(closed.code, 4401);
    assert.match(closed.reason, /disabled/i);
    await silentAfterClose(w, disabled.user.id);
    await w.client.dispose();

    const leaving = await signUp(srv.graphqlUrl);
    const gone = watchTasks(leaving.token);
    await flowing(gone, leaving.user.id);
    const deleted = await gql(
      srv.graphqlUrl,
      'mutation($p: String!) { deleteAccount(password: $p) }',
      { p: leaving.password },
      leaving.token,
    );
    assert.equal(deleted.data?.deleteAccount, true, JSON.stringify(deleted.errors));
    const closedToo = await within(gone.closed, 3000, 'the deleted user’s socket closing');
    assert.equal(closedToo.code, 4401);
    assert.match(closedToo.reason, /deleted/i);
    await gone.client.dispose();
  });

  test('a session that expires closes its socket when it expires', async () => {
    const user = await signUp(srv.graphqlUrl);
    await srv.percept.db.query(`UPDATE tokens SET "expiresAt" = now() + interval '2 seconds' WHERE "userId" = $1`, [
      user.user.id,
    ]);
    const w = watchTasks(user.token);
    await flowing(w, user.user.id);
    const closed = await within(w.closed, 5000, 'the socket closing at expiry');
    assert.equal(closed.code, 4401);
    assert.match(closed.reason, /expired/i);
    await silentAfterClose(w, user.user.id);
    await w.client.dispose();
  });

  test('a demoted admin stops receiving other users’ tasks at once; reconnected, sees only their own', async () => {
    const second = await signUp(srv.graphqlUrl);
    const other = await signUp(srv.graphqlUrl);
    const SET_ROLE = 'mutation($u: ID!, $r: Role!) { setUserRole(userId: $u, role: $r) { role } }';
    await gql(srv.graphqlUrl, SET_ROLE, { u: second.user.id, r: 'ADMIN' }, admin.token);
    const w = watchTasks(second.token);
    await flowing(w, other.user.id); // as an admin: everyone's tasks
    await gql(srv.graphqlUrl, SET_ROLE, { u: second.user.id, r: 'USER' }, admin.token);
    const closed = await within(w.closed, 3000, 'the socket closing');
    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /role changed/i);
    await silentAfterClose(w, other.user.id);
    await w.client.dispose();

    const again = watchTasks(second.token);
    await flowing(again, second.user.id);
    const othersTask = await taskOf(other.user.id);
    await flowing(again, second.user.id);
    assert.ok(!again.ids.includes(othersTask), 'another user’s task is not delivered to a user');
    await again.client.dispose();
  });
});

describe('subscription caps', () => {
  test('past the per-socket and per-user caps a subscription is refused with a clear error; the rest keep going', async () => {
    const user = await signUp(srv.graphqlUrl);
    const open = (client: Client) => {
      const s = {
        ids: [] as string[],
        errors: [] as { extensions?: Record<string, unknown>; message: string }[],
        stop: () => {},
      };
      s.stop = client.subscribe(
        { query: 'subscription { tasksChanged { id } }' },
        {
          next: (v) => s.ids.push((v.data as { tasksChanged: { id: string } }).tasksChanged.id),
          error: (e) => s.errors.push(...((Array.isArray(e) ? e : [e]) as (typeof s.errors)[number][])),
          complete: () => {},
        },
      );
      return s;
    };
    const connect = () =>
      createClient({
        url: srv.graphqlUrl.replace('http', 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${user.token}` },
        retryAttempts: 0,
      });
    const a = connect();
    const onA = [open(a), open(a), open(a), open(a)];
    const refusedOnSocket = await waitFor('a refusal', async () => onA.find((s) => s.errors.length));
    assert.equal(refusedOnSocket.errors[0]!.extensions?.code, 'TOO_MANY_SUBSCRIPTIONS');
    assert.equal(refusedOnSocket.errors[0]!.extensions?.scope, 'socket');
    assert.match(refusedOnSocket.errors[0]!.message, /at most 3/);

    const b = connect();
    const onB = [open(b), open(b), open(b)];
    const refusedForUser = await waitFor('a refusal', async () => onB.find((s) => s.errors.length));
    assert.equal(refusedForUser.errors[0]!.extensions?.scope, 'user');
    assert.match(refusedForUser.errors[0]!.message, /at most 5/);

    // The five admitted ones still receive events.
    const admitted = [...onA, ...onB].filter((s) => !s.errors.length);
    assert.equal(admitted.length, 5);
    const id = await taskOf(user.user.id);
    await waitFor('every admitted subscription hears of the task', async () =>
      admitted.every((s) => s.ids.includes(id)),
    );
    // Completing one makes room for another.
    admitted[0]!.stop();
    await new Promise((r) => setTimeout(r, 200));
    const more = open(b);
    const next = await taskOf(user.user.id);
    await waitFor('the new subscription hears of a task', async () => more.ids.includes(next));
    assert.deepEqual(more.errors, []);
    await Promise.all([a.dispose(), b.dispose()]);
  });
});
