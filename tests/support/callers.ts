import { buildZip } from './zip';
import { createModel, png, signUp } from './fixtures';
import { errorCode, gql, gqlUpload, type GraphQLResponse } from './graphql';
import type { TestServer } from './server';
import { waitFor } from './wait';

/** Everyone the authorization matrix calls as. API tokens and the runner's objects belong to `owner`. */
export const CALLERS = ['anonymous', 'owner', 'other', 'full', 'classify', 'runner', 'admin'] as const;
export type Caller = (typeof CALLERS)[number];

/** A file variable: sent as a GraphQL multipart request. */
export class FileVar {
  constructor(
    readonly data: Buffer,
    readonly filename: string,
    readonly type = 'application/octet-stream',
  ) {}
}

async function data(p: Promise<GraphQLResponse>, what: string): Promise<Record<string, any>> {
  const res = await p;
  if (!res.data) throw new Error(`${what} failed: ${JSON.stringify(res.errors)}`);
  return res.data;
}

/**
 * Real objects for the matrix to point at, made through the API on one server: the owner's model
 * with imported data (classes, images, its import task), API tokens of each scope, a registered
 * remote runner, and makers of fresh objects for operations that consume or change what they touch.
 */
export async function makeCallers(srv: TestServer) {
  const url = srv.graphqlUrl;
  const admin = await signUp(url, 'admin@example.com'); // the first account is the admin
  const owner = await signUp(url, 'owner@example.com');
  const other = await signUp(url, 'other@example.com');
  const spare = await signUp(url, 'spare@example.com');

  const apiToken = async (scope: 'FULL' | 'CLASSIFY') => {
    const q = 'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret token { id } } }';
    const r = await data(gql(url, q, { i: { name: `matrix ${scope}`, scope } }, owner.token), 'createApiToken');
    return { secret: r.createApiToken.secret as string, id: r.createApiToken.token.id as string };
  };
  const runnerToken = async () => {
    const q = 'mutation { createRunnerToken(name: "matrix") { secret token { id } } }';
    const r = await data(gql(url, q, {}, admin.token), 'createRunnerToken');
    return { secret: r.createRunnerToken.secret as string, id: r.createRunnerToken.token.id as string };
  };
  const session = async (who: { email: string; password: string }) => {
    const q = 'mutation($i: CredentialsInput!) { logIn(input: $i) { token } }';
    const r = await data(gql(url, q, { i: { email: who.email, password: who.password } }), 'logIn');
    return r.logIn.token as string;
  };

  const full = await apiToken('FULL');
  const classify = await apiToken('CLASSIFY');
  const runner = await runnerToken();
  const registered = await data(
    gql(url, 'mutation { registerRunner(name: "matrix", backend: "cpu", device: "test") { id } }', {}, runner.secret),
    'registerRunner',
  );
  const runnerId = registered.registerRunner.id as string;

  const tokens: Record<Caller, string | undefined> = {
    anonymous: undefined,
    owner: owner.token,
    other: other.token,
    full: full.secret,
    classify: classify.secret,
    runner: runner.secret,
    admin: admin.token,
  };

  // The owner's model with 12 classes of 2 images, imported through the API.
  const model = (await createModel(url, owner.token, 'matrix')).id;
  const entries = [];
  for (let c = 0; c < 12; c++) {
    for (let i = 0; i < 2; i++) {
      entries.push({ name: `c${c}/img${i}.png`, data: await png(8, 8, 3, { r: c * 20, g: i * 90, b: 50 }) });
    }
  }
  const imported = await data(
    gqlUpload(
      url,
      'mutation($m: ID!, $f: Upload!) { importDataset(modelId: $m, file: $f) { id } }',
      { m: model, f: null },
      { f: { data: buildZip(entries), filename: 'data.zip', type: 'application/zip' } },
      owner.token,
    ),
    'importDataset',
  );
  const importTask = imported.importDataset.id as string;
  await waitFor('the import to finish', async () => {
    const r = await gql(url, 'query($id: ID!) { task(id: $id) { status error } }', { id: importTask }, owner.token);
    const t = r.data?.task as { status: string; error: string | null } | undefined;
    if (t?.status === 'FAILED' || t?.status === 'CANCELLED') throw new Error(`import ${t.status}: ${t.error}`);
    return t?.status === 'SUCCEEDED';
  });
  const ds = await data(
    gql(url, 'query($m: ID!) { dataset(modelId: $m) { classes { id name } } }', { m: model }, owner.token),
    'dataset',
  );
  const classes = (ds.dataset.classes as { id: string; name: string }[]).sort((a, b) => a.name.localeCompare(b.name));
  const imgs = await data(
    gql(url, 'query($m: ID!) { images(modelId: $m, first: 100) { items { id classId } } }', { m: model }, owner.token),
    'images',
  );
  // Deleting classes c5…c11 never touches the images of c0…c4 that deleteImage uses.
  const imagePool = (imgs.images.items as { id: string; classId: string }[])
    .filter((i) => classes.findIndex((c) => c.id === i.classId) < 5)
    .map((i) => i.id);
  const classPool = classes.slice(5).map((c) => c.id);
  const take = (pool: string[], what: string) => () => {
    const id = pool.shift();
    if (!id) throw new Error(`the fixture ran out of ${what}`);
    return id;
  };

  // A finished training run and expansion of the model, written directly (running them would train
  // for real), so that their progress subscriptions have a run to show.
  const finishedTask = async (type: string, payload: Record<string, unknown>) =>
    (
      await srv.percept.db.query(
        `INSERT INTO tasks (type, status, payload, "ownerId", "modelId", "finishedAt")
         VALUES ($1, 'CANCELLED', $2, $3, $4, now()) RETURNING id`,
        [type, payload, owner.user.id, model],
      )
    )[0].id as string;
  const trainTask = await finishedTask('TRAIN_MODEL', {
    modelId: model,
    maxEpochs: 1,
    maxMinutes: null,
    roundEpochs: 1,
    pruneGap: 0.1,
    startedAt: new Date().toISOString(),
  });
  const expandTask = await finishedTask('EXPAND_MODEL', { modelId: model, trigger: 'user' });

  /** Announces a change of `taskId` through the API, as an admin changing its priority does. */
  const touchTask = async (taskId: string) => {
    const q = 'mutation($id: ID!) { updateTask(id: $id, input: { priority: 0 }) { id } }';
    await data(gql(url, q, { id: taskId }, admin.token), 'updateTask');
  };

  const sample = await png(8, 8);
  let heads = 0; // ordinals of the heads newHead writes (unique per model)
  let doomed = 0;
  return {
    url,
    tokens,
    model,
    importTask,
    trainTask,
    expandTask,
    runnerId,
    /** Events every subscriber allowed to see them receives, made through the API. */
    events: {
      modelChanged: async () => {
        const q = 'mutation($id: ID!) { updateModel(id: $id, input: { name: "matrix" }) { id } }';
        await data(gql(url, q, { id: model }, owner.token), 'updateModel');
      },
      runnerChanged: async () => {
        const q = 'mutation($id: ID!) { setRunnerDisabled(id: $id, disabled: false) { id } }';
        await data(gql(url, q, { id: runnerId }, admin.token), 'setRunnerDisabled');
      },
      importTaskChanged: () => touchTask(importTask),
      trainTaskChanged: () => touchTask(trainTask),
      expandTaskChanged: () => touchTask(expandTask),
    },
    spareUserId: spare.user.id,
    samplePngBase64: sample.toString('base64'),
    samplePng: new FileVar(sample, 'sample.png', 'image/png'),
    junkFile: new FileVar(Buffer.from('not an archive'), 'data.zip', 'application/zip'),
    image: take(imagePool, 'images'),
    modelClass: take(classPool, 'classes'),
    /** A class of the owner's model that no test deletes (c0). */
    keptClass: classes[0]!.id,
    /** A kept classified image of the owner's model, written directly (no pixels): a fresh one each call. */
    newKeptImage: async () =>
      (
        await srv.percept.db.query(
          `INSERT INTO images ("modelId", source, checksum, "keptReason", margin)
           VALUES ($1, 'CLASSIFIED', gen_random_uuid()::text, 'KEEP', 0.5) RETURNING id`,
          [model],
        )
      )[0].id as string,
    newModel: async () => (await createModel(url, owner.token, 'fresh')).id,
    newApiTokenId: async () => (await apiToken('FULL')).id,
    newRunnerTokenId: async () => (await runnerToken()).id,
    /** A user row of its own, written directly (no password hashing): deleteUser removes it, once per caller. */
    newUserId: async () =>
      (
        await srv.percept.db.query(`INSERT INTO users (email, "passwordHash") VALUES ($1, 'none') RETURNING id`, [
          `doomed-${++doomed}@example.com`,
        ])
      )[0].id as string,
    /** A rejected head of the owner's model, written directly: removeHead deletes it, once per caller. */
    newHead: async () =>
      (
        await srv.percept.db.query(
          `INSERT INTO heads ("modelId", ordinal, "baseKey", status, "rejectedReason")
           VALUES ($1, $2, 'none', 'REJECTED', 'matrix') RETURNING id`,
          [model, ++heads],
        )
      )[0].id as string,
    /** A token of the caller's kind that may be spent (revoked by logOut). */
    freshToken: async (caller: Caller): Promise<string | undefined> => {
      switch (caller) {
        case 'anonymous':
          return undefined;
        case 'owner':
          return session(owner);
        case 'other':
          return session(other);
        case 'admin':
          return session(admin);
        case 'full':
          return (await apiToken('FULL')).secret;
        case 'classify':
          return (await apiToken('CLASSIFY')).secret;
        case 'runner':
          return (await runnerToken()).secret;
      }
    },
    /** A runner report for a task this runner really holds, as completeTask and failTask need. */
    claimedReport: async () => {
      await data(gql(url, 'mutation { createDiagnosticTask(sleepMs: 0) { id } }', {}, admin.token), 'diagnostic task');
      const q = 'mutation($r: ID!) { claimTask(runnerId: $r) { taskId attempt } }';
      const claimed = await gql(url, q, { r: runnerId }, runner.secret);
      const a = claimed.data?.claimTask as { taskId: string; attempt: number } | null | undefined;
      if (!a)
        throw new Error(`the runner could not claim a task: ${claimed.errors ? errorCode(claimed) : 'queue empty'}`);
      return { runnerId, taskId: a.taskId, attempt: a.attempt };
    },
  };
}

export type Fixtures = Awaited<ReturnType<typeof makeCallers>>;
