// Training decisions of TrainingService.start against real PostgreSQL: when a run may start, and
// what it queues (one TRAIN_MODEL task, its candidates, the model TRAINING) in one transaction.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { UserPrincipal } from '../../server/auth/principal';
import { CandidateStatus } from '../../server/training/candidate.entity';
import { epochsFor } from '../../server/training/selection';
import { MIN_IMAGES_PER_CLASS } from '../../server/training/training.service';
import { TrainModelInput } from '../../server/training/training.types';
import { ModelStatus } from '../../server/models/model.entity';
import { isTask, TaskStatus, TaskType } from '../../server/tasks/task.entity';
import { serviceHarness, type ServiceHarness } from '../support/services';

let h: ServiceHarness;
let owner: UserPrincipal;

before(async () => {
  h = await serviceHarness();
  owner = await h.user();
});
after(() => h?.close());

/** Classes of the model with that many training images each, written as an import would leave them. */
async function withImages(modelId: string, perClass: Record<string, number>): Promise<void> {
  let index = 0;
  for (const [name, n] of Object.entries(perClass)) {
    const [{ id }] = await h.db.query(
      `INSERT INTO model_classes ("modelId", name, index) VALUES ($1, $2, $3) RETURNING id`,
      [modelId, name, index++],
    );
    await h.db.query(
      `INSERT INTO images ("modelId", "classId", source, split, "blobKey", checksum)
       SELECT $1::uuid, $2::uuid, 'UPLOAD', 'TRAIN', 'models/' || $1::text || '/images/' || g, md5($2::text || g)
       FROM generate_series(1, $3::int) g`,
      [modelId, id, n],
    );
  }
}

const input = (changes: Partial<TrainModelInput> = {}) => Object.assign(new TrainModelInput(), changes);
const reason = (expected: string) => (e: unknown) =>
  (e as { extensions?: { reason?: string } }).extensions?.reason === expected;

test('a run needs data, two classes, and enough training images in each', async () => {
  const model = await h.model(owner);
  await assert.rejects(h.services.training.start(owner, model.id, input()), reason('NO_DATA'));
  await withImages(model.id, { cat: 10 });
  await assert.rejects(h.services.training.start(owner, model.id, input()), reason('ONE_CLASS'));
  const thin = await h.model(owner);
  await withImages(thin.id, { cat: 10, dog: MIN_IMAGES_PER_CLASS - 1 });
  await assert.rejects(h.services.training.start(owner, thin.id, input()), reason('TOO_FEW_IMAGES'));
});

test('a run queues its coordinator and candidates together, and the model trains', async () => {
  const model = await h.model(owner);
  await withImages(model.id, { cat: 20, dog: 20 });
  const task = await h.services.training.start(owner, model.id, input({ candidates: 2 }));
  assert.ok(isTask(task, TaskType.TRAIN_MODEL));
  assert.equal(task.status, TaskStatus.QUEUED);
  assert.equal(task.payload.maxEpochs, epochsFor(40), 'epochs planned from the data when none are set');
  assert.equal(task.payload.stopAtTarget, false, 'trains to convergence unless asked to stop at the target');
  const candidates = await h.db.query(`SELECT status FROM candidates WHERE "taskId" = $1`, [task.id]);
  assert.deepEqual(
    candidates.map((c: { status: string }) => c.status),
    [CandidateStatus.QUEUED, CandidateStatus.QUEUED],
  );
  assert.equal((await h.services.models.get(owner, model.id)).status, ModelStatus.TRAINING);
});

test('a model busy importing or training is refused, naming the task in the way', async () => {
  const model = await h.model(owner);
  await withImages(model.id, { cat: 20, dog: 20 });
  const first = await h.services.training.start(owner, model.id, input());
  await assert.rejects(h.services.training.start(owner, model.id, input()), (e: unknown) => {
    const ext = (e as { extensions: { reason: string; taskId: string } }).extensions;
    return ext.reason === 'BUSY' && ext.taskId === first.id;
  });
  const runs = await h.db.query(`SELECT count(*)::int AS n FROM tasks WHERE "modelId" = $1`, [model.id]);
  assert.equal(runs[0].n, 1, 'nothing else queued');
});

test('a colour-shaped model whose images are all grey trains networks that average the channels first', async () => {
  const firstLayers = async (taskId: string) =>
    (
      await h.db.query(`SELECT architecture FROM candidates WHERE "taskId" = $1 ORDER BY metrics->>'order'`, [taskId])
    ).map((c: { architecture: { layers: { kind: string }[] } }) => c.architecture.layers[0]!.kind) as string[];
  const grey = await h.model(owner); // a 16×12 RGB sample
  await withImages(grey.id, { cat: 20, dog: 20 });
  await h.db.query(`UPDATE images SET grey = true WHERE "modelId" = $1`, [grey.id]);
  const greyRun = await h.services.training.start(owner, grey.id, input({ candidates: 3 }));
  assert.deepEqual(await firstLayers(greyRun.id), ['greyscale', 'greyscale', 'greyscale']);

  // One image in colour (or not known grey) and the networks see colour.
  const mixed = await h.model(owner);
  await withImages(mixed.id, { cat: 20, dog: 20 });
  await h.db.query(
    `UPDATE images SET grey = true WHERE "modelId" = $1 AND id <> (SELECT min(id::text)::uuid FROM images WHERE "modelId" = $1)`,
    [mixed.id],
  );
  const mixedRun = await h.services.training.start(owner, mixed.id, input({ candidates: 3 }));
  assert.ok((await firstLayers(mixedRun.id)).every((kind) => kind !== 'greyscale'));
});
