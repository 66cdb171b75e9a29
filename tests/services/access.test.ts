// The access policy (server/auth/access.ts) as the services apply it, against real PostgreSQL:
// owner or admin, list scopes, which tokens may revoke which, signed URLs, scoped tokens.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runnerMay, signUpRole, signUrl, signedUrlExpiry } from '../../server/auth/access';
import type { UserPrincipal } from '../../server/auth/principal';
import { TokenScope } from '../../server/auth/token.entity';
import { Role } from '../../server/auth/user.entity';
import type { Model } from '../../server/models/model.entity';
import { TaskStatus, TaskType, type Task } from '../../server/tasks/task.entity';
import { serviceHarness, type ServiceHarness } from '../support/services';

let h: ServiceHarness;
let owner: UserPrincipal;
let other: UserPrincipal;
let admin: UserPrincipal;
let model: Model;

const code = (e: unknown) => (e as { extensions?: { code?: string } }).extensions?.code;
const refused = (expected: string) => (e: unknown) => code(e) === expected;

before(async () => {
  h = await serviceHarness();
  owner = await h.user();
  other = await h.user();
  admin = await h.user(Role.ADMIN);
  model = await h.model(owner);
});
after(() => h?.close());

describe('owner or admin', () => {
  test("a model is its owner's and the admins'; to anyone else it does not exist", async () => {
    assert.equal((await h.services.models.get(owner, model.id)).id, model.id);
    assert.equal((await h.services.models.get(admin, model.id)).id, model.id);
    await assert.rejects(h.services.models.get(other, model.id), refused('NOT_FOUND'));
    await assert.rejects(h.services.models.update(other, model.id, { name: 'mine now' }), refused('NOT_FOUND'));
    await assert.rejects(h.services.models.delete(other, model.id), refused('NOT_FOUND'));
    await assert.rejects(h.services.datasets.dataset(other, model.id), refused('NOT_FOUND'));
  });

  test("lists hold one's own objects; an admin sees everyone's only when asking", async () => {
    const page = { first: 100, offset: 0 };
    assert.deepEqual(
      (await h.services.models.list(other, page, true)).items.map((m) => m.id),
      [],
      'all=true does not widen a user',
    );
    assert.deepEqual((await h.services.models.list(admin, page)).items, [], "an admin's own list");
    assert.ok((await h.services.models.list(admin, page, true)).items.some((m) => m.id === model.id));
  });

  test("a task is its owner's and the admins'; a user cannot list another's by filtering on them", async () => {
    const task = await h.services.tasks.queue.enqueue({
      type: TaskType.NOOP,
      payload: {},
      ownerId: owner.userId,
      modelId: null,
    });
    assert.equal((await h.services.tasks.get(owner, task.id)).id, task.id);
    assert.equal((await h.services.tasks.get(admin, task.id)).id, task.id);
    await assert.rejects(h.services.tasks.get(other, task.id), refused('NOT_FOUND'));
    await assert.rejects(h.services.tasks.cancel(other, task.id), refused('NOT_FOUND'));
    const page = { first: 100, offset: 0 };
    const asOther = await h.services.tasks.list(other, { ownerId: owner.userId }, page);
    assert.deepEqual(asOther.items, []);
    const asAdmin = await h.services.tasks.list(admin, { ownerId: owner.userId }, page);
    assert.deepEqual(
      asAdmin.items.map((t) => t.id),
      [task.id],
    );
    await h.services.tasks.cancel(owner, task.id);
    assert.equal((await h.services.tasks.get(owner, task.id)).status, TaskStatus.CANCELLED);
  });

  test('owners revoke their API tokens, not their sessions; admins revoke any token', async () => {
    const api = await h.services.auth.createApiToken(owner, 'ci', TokenScope.FULL);
    await assert.rejects(h.services.auth.revokeToken(other, api.token.id), refused('NOT_FOUND'));
    await assert.rejects(h.services.auth.revokeToken(owner, owner.tokenId), refused('NOT_FOUND'));
    assert.ok((await h.services.auth.revokeToken(owner, api.token.id)).revokedAt);
    assert.ok((await h.services.auth.revokeToken(admin, owner.tokenId)).revokedAt);
    owner = await h.user(); // the old session is gone
  });
});

describe('tokens and signed URLs', () => {
  test('a revoked or expired token is no principal; a runner token is a runner', async () => {
    const api = await h.services.auth.createApiToken(other, 'short', TokenScope.CLASSIFY, 1);
    // Expiring in a second: the principal is cached with its expiry, and stops at it.
    await h.db.query(`UPDATE tokens SET "expiresAt" = now() + interval '1 second' WHERE id = $1`, [api.token.id]);
    const who = await h.services.auth.authenticate(api.secret);
    assert.deepEqual(who && who.kind === 'user' && [who.userId, who.scope], [other.userId, TokenScope.CLASSIFY]);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(await h.services.auth.authenticate(api.secret), null, 'expired');
    const runner = await h.services.auth.createRunnerToken('gpu box');
    assert.deepEqual(await h.services.auth.authenticate(runner.secret), { kind: 'runner', tokenId: runner.token.id });
    await h.services.auth.revokeToken(admin, runner.token.id);
    assert.equal(await h.services.auth.authenticate(runner.secret), null, 'revoked');
  });

  test('a signed URL stands for its token until it expires, is altered or the token is revoked', async () => {
    const session = await h.user();
    const key = (await h.services.auth.signingKey(session))!;
    const exp = signedUrlExpiry();
    const signature = { tokenId: session.tokenId, exp, sig: signUrl('thumb:x', exp, key) };
    assert.equal((await h.services.auth.authenticateSigned('thumb:x', signature))?.userId, session.userId);
    assert.equal(await h.services.auth.authenticateSigned('thumb:y', signature), null, 'another subject');
    assert.equal(await h.services.auth.authenticateSigned('thumb:x', { ...signature, exp: exp + 3600 }), null);
    const past = Math.floor(Date.now() / 1000) - 1;
    const stale = { tokenId: session.tokenId, exp: past, sig: signUrl('thumb:x', past, key) };
    assert.equal(await h.services.auth.authenticateSigned('thumb:x', stale), null, 'expired');
    await h.services.auth.logOut(session);
    assert.equal(await h.services.auth.authenticateSigned('thumb:x', signature), null, 'token revoked');
  });

  test('thumbnails are for full-scope user tokens only', async () => {
    const classifyOnly: UserPrincipal = { ...owner, scope: TokenScope.CLASSIFY };
    const anyImage = '00000000-0000-0000-0000-000000000000';
    await assert.rejects(h.services.datasets.readThumbnail(anyImage, classifyOnly), refused('FORBIDDEN'));
    await assert.rejects(
      h.services.datasets.readThumbnail(anyImage, { kind: 'runner', tokenId: 'r' }),
      refused('UNAUTHENTICATED'),
    );
    await assert.rejects(h.services.datasets.readThumbnail(anyImage, owner), refused('NOT_FOUND'));
  });
});

describe('classify-only tokens', () => {
  test("reach their owner's batch tasks only, and cannot keep what they classify", async () => {
    const classifyOnly: UserPrincipal = { ...owner, scope: TokenScope.CLASSIFY };
    const enqueue = (type: TaskType) =>
      h.services.tasks.queue.enqueue({ type, payload: {} as never, ownerId: owner.userId, modelId: null });
    const batch = await enqueue(TaskType.CLASSIFY_BATCH);
    const noop = await enqueue(TaskType.NOOP);
    assert.equal((await h.services.tasks.get(classifyOnly, batch.id)).id, batch.id);
    await assert.rejects(h.services.tasks.get(classifyOnly, noop.id), refused('NOT_FOUND'));
    assert.equal((await h.services.tasks.get(owner, noop.id)).id, noop.id);
    const image = { base64: Buffer.from('not even an image').toString('base64') };
    await assert.rejects(h.services.classify.classify(classifyOnly, model.id, image, 5, true), refused('FORBIDDEN'));
    await assert.rejects(
      h.services.classify.classify(classifyOnly, model.id, image, 5, false),
      (e) => code(e) !== 'FORBIDDEN',
    );
  });
});

describe('sign-up', () => {
  test('the first admin comes from this machine or the setup code; then the mode decides', () => {
    const none = { adminExists: false, local: false, setupCode: false, invitation: false };
    const forbidden = (e: unknown) => code(e) === 'FORBIDDEN';
    assert.equal(signUpRole('closed', { ...none, local: true }), Role.ADMIN);
    assert.equal(signUpRole('closed', { ...none, setupCode: true }), Role.ADMIN);
    assert.equal(signUpRole('open', none), Role.USER, 'a stranger first in line is a user, not the admin');
    assert.throws(() => signUpRole('invite', none), forbidden);
    const later = { ...none, adminExists: true, local: true, setupCode: true };
    assert.equal(signUpRole('open', later), Role.USER, 'no second admin by either route');
    assert.throws(() => signUpRole('invite', later), forbidden);
    assert.equal(signUpRole('invite', { ...later, invitation: true }), Role.USER);
    assert.throws(() => signUpRole('closed', { ...later, invitation: true }), forbidden);
  });
});

describe('runner reach', () => {
  const task = (type: TaskType, payload: unknown) => ({ type, payload }) as unknown as Task;
  const m = '11111111-1111-4111-8111-111111111111';
  test('a split reads the export and writes the base and head; a head run writes its heads and the feature cache', () => {
    const split = task(TaskType.SPLIT_MODEL, {
      modelId: m,
      artifactKey: `models/${m}/candidates/c/model`,
      baseKey: `models/${m}/bases/c`,
      headKey: `models/${m}/heads/h`,
    });
    assert.ok(runnerMay(split, { read: `models/${m}/candidates/c/model/model.json` }));
    assert.ok(!runnerMay(split, { write: `models/${m}/candidates/c/model/model.json` }));
    assert.ok(runnerMay(split, { write: `models/${m}/bases/c/weights.bin` }));
    assert.ok(!runnerMay(split, { write: `models/${m}/bases/c2/weights.bin` }), 'a sibling with the same start');
    assert.ok(!runnerMay(split, { dataset: m }));
    const head = task(TaskType.TRAIN_HEAD, {
      modelId: m,
      baseKey: `models/${m}/bases/c`,
      featuresKey: `models/${m}/bases/c/features.bin`,
      heads: [{ headId: 'h2', artifactKey: `models/${m}/heads/h2`, fromKey: `models/${m}/heads/h1` }],
    });
    assert.ok(runnerMay(head, { dataset: m }));
    assert.ok(runnerMay(head, { read: `models/${m}/bases/c/model.json` }));
    assert.ok(!runnerMay(head, { write: `models/${m}/bases/c/model.json` }), 'the base is read only');
    assert.ok(runnerMay(head, { write: `models/${m}/bases/c/features.bin` }));
    assert.ok(runnerMay(head, { read: `models/${m}/heads/h1/model.json` }));
    assert.ok(!runnerMay(head, { write: `models/${m}/heads/h1/model.json` }), 'an active head is never written');
    assert.ok(runnerMay(head, { write: `models/${m}/heads/h2/model.json` }));
    assert.ok(!runnerMay(head, { read: `models/${m}/sample` }));
    assert.ok(!runnerMay(task(TaskType.NOOP, {}), { read: `models/${m}/sample` }));
  });

  test("a round writes its candidate's checkpoints and export; a promotion reads its partners' checkpoints, never writes them", () => {
    const round = (finalize: boolean) =>
      task(TaskType.TRAIN_CANDIDATE, { modelId: m, candidateId: 'a', finalize, partners: [{ candidateId: 'b' }] });
    for (const key of ['checkpoint', 'refit-checkpoint', 'model/model.json'])
      assert.ok(runnerMay(round(false), { write: `models/${m}/candidates/a/${key}` }), key);
    assert.ok(runnerMay(round(false), { dataset: m }));
    assert.ok(runnerMay(round(true), { read: `models/${m}/candidates/b/checkpoint` }));
    assert.ok(!runnerMay(round(true), { write: `models/${m}/candidates/b/checkpoint` }), 'a partner is read only');
    assert.ok(!runnerMay(round(false), { read: `models/${m}/candidates/b/checkpoint` }), 'only a promotion reads it');
    assert.ok(!runnerMay(round(true), { read: `models/${m}/candidates/c/checkpoint` }), 'nor any other candidate');
  });
});
