import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { errorCode, gql } from './support/graphql';
import { createModel, signUp } from './support/fixtures';
import { startTestServer, type TestServer } from './support/server';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { AuthService } from '../server/auth/auth.service';
import { HASH_CONCURRENCY, hashPassword, hashQueue } from '../server/auth/password';

const execFileAsync = promisify(execFile);

let srv: TestServer;
before(async () => (srv = await startTestServer()));
after(() => srv.stop());

const ME = '{ me { email role } }';

describe('accounts and sessions', () => {
  test('the first account becomes admin, later ones are users', async () => {
    const first = await signUp(srv.graphqlUrl);
    const second = await signUp(srv.graphqlUrl);
    assert.equal(first.user.role, 'ADMIN');
    assert.equal(second.user.role, 'USER');
    const me = await gql(srv.graphqlUrl, ME, {}, second.token);
    assert.deepEqual(me.data?.me, { email: second.email, role: 'USER' });
  });

  test('log in works with any case of the email; a wrong password or unknown email says the same', async () => {
    const u = await signUp(srv.graphqlUrl, `Mixed.Case${Date.now()}@Example.com`);
    const ok = await gql(srv.graphqlUrl, 'mutation($i: CredentialsInput!) { logIn(input: $i) { token } }', {
      i: { email: u.email.toUpperCase(), password: u.password },
    });
    assert.ok(ok.data?.logIn.token);
    const wrong = await gql(srv.graphqlUrl, 'mutation($i: CredentialsInput!) { logIn(input: $i) { token } }', {
      i: { email: u.email, password: 'not the password' },
    });
    const unknown = await gql(srv.graphqlUrl, 'mutation($i: CredentialsInput!) { logIn(input: $i) { token } }', {
      i: { email: 'nobody@example.com', password: 'not the password' },
    });
    assert.equal(errorCode(wrong), 'UNAUTHENTICATED');
    assert.equal(errorCode(unknown), 'UNAUTHENTICATED');
    assert.equal(wrong.errors?.[0]?.message, unknown.errors?.[0]?.message);
  });

  test('bad sign-ups are refused with BAD_USER_INPUT and create nothing', async () => {
    const u = await signUp(srv.graphqlUrl);
    const before = await srv.percept.db.query('SELECT count(*)::int AS n FROM users');
    // An email that has an account gets logIn's answer, not "already exists" (tests/security.test.ts).
    const taken = await gql(srv.graphqlUrl, 'mutation($i: CredentialsInput!) { signUp(input: $i) { token } }', {
      i: { email: u.email, password: 'another password' },
    });
    assert.equal(taken.errors?.[0]?.message, 'Wrong email or password.');
    for (const i of [
      { email: 'not-an-email', password: 'long enough' },
      { email: 'short@example.com', password: 'short' },
    ]) {
      const res = await gql(srv.graphqlUrl, 'mutation($i: CredentialsInput!) { signUp(input: $i) { token } }', { i });
      assert.equal(errorCode(res), 'BAD_USER_INPUT', JSON.stringify(i));
      assert.ok(res.errors?.[0]?.message.length, 'says what to fix');
    }
    assert.deepEqual(await srv.percept.db.query('SELECT count(*)::int AS n FROM users'), before);
  });

  test('log out ends the session at once', async () => {
    const u = await signUp(srv.graphqlUrl);
    assert.equal((await gql(srv.graphqlUrl, 'mutation { logOut }', {}, u.token)).data?.logOut, true);
    assert.equal(errorCode(await gql(srv.graphqlUrl, ME, {}, u.token)), 'UNAUTHENTICATED');
  });

  test('anonymous and forged tokens are UNAUTHENTICATED', async () => {
    assert.equal(errorCode(await gql(srv.graphqlUrl, ME)), 'UNAUTHENTICATED');
    assert.equal(errorCode(await gql(srv.graphqlUrl, ME, {}, 'pcs_forged')), 'UNAUTHENTICATED');
  });
});

describe('API tokens', () => {
  const CREATE =
    'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret token { id name scope prefix } } }';

  test('are shown once, listed without the secret, and stop working at once when revoked', async () => {
    const u = await signUp(srv.graphqlUrl);
    const created = await gql(srv.graphqlUrl, CREATE, { i: { name: 'ci' } }, u.token);
    const { secret, token } = created.data!.createApiToken;
    assert.match(secret, /^pca_/);
    assert.ok(secret.startsWith(token.prefix));
    const listed = await gql(srv.graphqlUrl, '{ apiTokens { id name prefix } }', {}, u.token);
    assert.deepEqual(listed.data?.apiTokens, [{ id: token.id, name: 'ci', prefix: token.prefix }]);
    assert.ok(!JSON.stringify(listed).includes(secret));
    const [row] = await srv.percept.db.query('SELECT hash FROM tokens WHERE id = $1', [token.id]);
    assert.notEqual(row.hash, secret, 'only a hash is stored');

    assert.equal((await gql(srv.graphqlUrl, ME, {}, secret)).data?.me.email, u.email);
    await gql(
      srv.graphqlUrl,
      'mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }',
      { id: token.id },
      u.token,
    );
    assert.equal(errorCode(await gql(srv.graphqlUrl, ME, {}, secret)), 'UNAUTHENTICATED');
    assert.deepEqual((await gql(srv.graphqlUrl, '{ apiTokens { id } }', {}, u.token)).data?.apiTokens, []);
  });

  test('a classify-scoped token reaches classify only: not the models, not other tokens', async () => {
    const u = await signUp(srv.graphqlUrl);
    await createModel(srv.graphqlUrl, u.token);
    const { secret } = (await gql(srv.graphqlUrl, CREATE, { i: { name: 'app', scope: 'CLASSIFY' } }, u.token)).data!
      .createApiToken;
    assert.equal(errorCode(await gql(srv.graphqlUrl, '{ models { totalCount } }', {}, secret)), 'FORBIDDEN');
    assert.equal(errorCode(await gql(srv.graphqlUrl, CREATE, { i: { name: 'escalate' } }, secret)), 'FORBIDDEN');
    assert.equal(errorCode(await gql(srv.graphqlUrl, '{ apiTokens { id } }', {}, secret)), 'FORBIDDEN');
  });

  test('another user cannot revoke my token', async () => {
    const a = await signUp(srv.graphqlUrl);
    const b = await signUp(srv.graphqlUrl);
    const { token } = (await gql(srv.graphqlUrl, CREATE, { i: { name: 'mine' } }, a.token)).data!.createApiToken;
    const res = await gql(
      srv.graphqlUrl,
      'mutation($id: ID!) { revokeApiToken(id: $id) { id } }',
      { id: token.id },
      b.token,
    );
    assert.equal(errorCode(res), 'NOT_FOUND');
  });
});

describe('admin', () => {
  test('admin-only operations refuse a normal user and a runner token', async () => {
    // The first account of this server was made by an earlier test; find or make an admin.
    const { user: adminUser } = await new AuthService(srv.percept.db, 1).ensureAdmin(
      `root${Date.now()}@example.com`,
      'admin password',
    );
    const admin = await gql(srv.graphqlUrl, 'mutation($i: CredentialsInput!) { logIn(input: $i) { token } }', {
      i: { email: adminUser.email, password: 'admin password' },
    });
    const adminToken = admin.data!.logIn.token as string;
    const user = await signUp(srv.graphqlUrl);

    assert.equal(errorCode(await gql(srv.graphqlUrl, '{ users { totalCount } }', {}, user.token)), 'FORBIDDEN');
    assert.ok((await gql(srv.graphqlUrl, '{ users { totalCount } }', {}, adminToken)).data?.users.totalCount >= 2);

    const runner = await gql(
      srv.graphqlUrl,
      'mutation { createRunnerToken(name: "gpu-box") { secret } }',
      {},
      adminToken,
    );
    const runnerSecret = runner.data!.createRunnerToken.secret as string;
    assert.match(runnerSecret, /^pcr_/);
    assert.equal(errorCode(await gql(srv.graphqlUrl, '{ models { totalCount } }', {}, runnerSecret)), 'FORBIDDEN');
    assert.equal(errorCode(await gql(srv.graphqlUrl, ME, {}, runnerSecret)), 'FORBIDDEN');
    assert.equal(
      errorCode(await gql(srv.graphqlUrl, 'mutation { createRunnerToken(name: "x") { secret } }', {}, user.token)),
      'FORBIDDEN',
    );

    const promoted = await gql(
      srv.graphqlUrl,
      'mutation($u: ID!) { setUserRole(userId: $u, role: ADMIN) { role } }',
      { u: user.user.id },
      adminToken,
    );
    assert.equal(promoted.data?.setUserRole.role, 'ADMIN');
    assert.ok((await gql(srv.graphqlUrl, '{ users { totalCount } }', {}, user.token)).data?.users.totalCount >= 2);
  });

  test('`npm run admin -- <email>` promotes an account; with --password it creates one', async () => {
    const u = await signUp(srv.graphqlUrl);
    const env = { ...process.env, DATABASE_URL: srv.databaseUrl };
    const cli = (...args: string[]) =>
      execFileAsync(process.execPath, [join(__dirname, '..', 'server', 'main.js'), 'admin', ...args], { env });
    assert.match((await cli(u.email)).stdout, /is now an admin/);
    assert.equal((await gql(srv.graphqlUrl, ME, {}, u.token)).data?.me.role, 'ADMIN');
    await assert.rejects(cli('new-admin@example.com'), /give a password/);
    assert.match((await cli('new-admin@example.com', '--password', 'long password')).stdout, /account created/);
    const login = await gql(srv.graphqlUrl, 'mutation($i: CredentialsInput!) { logIn(input: $i) { user { role } } }', {
      i: { email: 'new-admin@example.com', password: 'long password' },
    });
    assert.equal(login.data?.logIn.user.role, 'ADMIN');
  });
});

describe('log-in throttling and password hashing', () => {
  const LOG_IN = 'mutation($i: CredentialsInput!) { logIn(input: $i) { token } }';
  const logIn = (email: string, password: string) =>
    fetch(srv.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LOG_IN, variables: { i: { email, password } } }),
    });

  test('failed log-ins of one account back off: HTTP 429 with Retry-After, even for the right password, until the wait is over', async () => {
    const u = await signUp(srv.graphqlUrl);
    for (let i = 0; i < 6; i++) assert.equal((await logIn(u.email, 'wrong password')).status, 200);
    const refused = await logIn(u.email, u.password);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    const body = (await refused.json()) as { errors: { extensions: { code: string; retryAfterSeconds: number } }[] };
    assert.equal(body.errors[0]!.extensions.code, 'TOO_MANY_REQUESTS');
    assert.equal(body.errors[0]!.extensions.retryAfterSeconds, 1);
    await new Promise((r) => setTimeout(r, 1100));
    const ok = (await (await logIn(u.email, u.password)).json()) as { data?: { logIn: { token: string } } };
    assert.ok(ok.data?.logIn.token, 'the owner gets in once the wait is over');
    // Success clears the account: a later mistake starts from nothing.
    assert.equal((await logIn(u.email, 'wrong password')).status, 200);
    assert.equal((await logIn(u.email, u.password)).status, 200);
  });

  test('failed log-ins from one address back off, whatever the account', async () => {
    const accounts = Array.from({ length: 21 }, (_, i) => `guess${i}-${Date.now()}@example.com`);
    for (const email of accounts) assert.equal((await logIn(email, 'wrong password')).status, 200);
    assert.equal((await logIn('yet-another@example.com', 'wrong password')).status, 429);
    await new Promise((r) => setTimeout(r, 1100));
    // A success from the address clears it (for the tests that follow, all from 127.0.0.1).
    const u = await signUp(srv.graphqlUrl);
    assert.equal((await logIn(u.email, u.password)).status, 200);
  });

  test('passwords are hashed with scrypt N=2^17, r=8, p=1; an older hash is re-hashed at the next log-in', async () => {
    const u = await signUp(srv.graphqlUrl);
    const stored = async () =>
      (await srv.percept.db.query('SELECT "passwordHash" FROM users WHERE id = $1', [u.user.id]))[0].passwordHash;
    assert.match(await stored(), /^scrypt\$131072\$8\$1\$/);
    const old = await hashPassword(u.password, { N: 1 << 15, r: 8, p: 1 });
    await srv.percept.db.query('UPDATE users SET "passwordHash" = $2 WHERE id = $1', [u.user.id, old]);
    assert.equal((await logIn(u.email, 'wrong password')).status, 200);
    assert.equal(await stored(), old, 'a failed log-in changes nothing');
    assert.equal((await logIn(u.email, u.password)).status, 200);
    assert.match(await stored(), /^scrypt\$131072\$8\$1\$/);
    assert.ok(
      ((await (await logIn(u.email, u.password)).json()) as { data: { logIn: { token: string } } }).data.logIn.token,
    );
  });

  test('a flood of log-ins hashes at most two at a time, and file reads do not wait behind it', async () => {
    // 12 rather than the 40 of the report: each hash takes about 0.25 s on a quiet core, 1 s on a busy one.
    const auth = srv.percept.services.auth;
    const file = join(__dirname, 'auth.test.js');
    const started = Date.now();
    const flood = Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => auth.logIn(`flood${i}@example.com`, 'wrong password', `198.51.100.${i}`)),
    );
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await readFile(file);
    const readMs = Date.now() - t0;
    await flood;
    const floodMs = Date.now() - started;
    console.log(
      `12 log-ins took ${floodMs} ms; a file read during them ${readMs} ms; hashes at once: ${hashQueue.peak}`,
    );
    assert.ok(hashQueue.peak <= HASH_CONCURRENCY, `at most ${HASH_CONCURRENCY} hashes at once, saw ${hashQueue.peak}`);
    assert.ok(readMs * 4 < floodMs, `the read (${readMs} ms) waited for the flood (${floodMs} ms)`);
  });
});
