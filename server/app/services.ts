import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { ClassifyService } from '../classification/classify.service';
import { PooledInference } from '../classification/inference';
import { ExportService } from '../exports/export.service';
import { ModelImportService } from '../exports/model-import.service';
import { ChildProcessVerifier } from '../exports/verifier';
import { MicroBatcher } from '../classification/micro-batch';
import { ExpansionService } from '../training/expansion.service';
import { TrainingService } from '../training/training.service';
import { ImagePixels } from '../datasets/image-pixels';
import { AccountService } from '../auth/account.service';
import { AuthService } from '../auth/auth.service';
import { LOGIN_THROTTLE, LoginThrottle } from '../auth/login-throttle';
import type { Config } from '../config/config';
import { DatasetService } from '../datasets/dataset.service';
import type { PerceptPubSub } from '../events/pubsub';
import type { Services } from '../graphql/services';

export type { Services };
import { ModelService } from '../models/model.service';
import type { LocalPool } from '../runners/local-pool';
import { RunnerDataService } from '../runners/data/data.service';
import { RemoteRunners } from '../runners/remote-runners';
import { RunnerService } from '../runners/runner.service';
import type { BlobStore } from '../storage/blob-store';
import { TaskQueue } from '../tasks/task-queue';
import { TaskService } from '../tasks/task.service';
import { startTaskFeed } from '../tasks/task-feed';
import { ThresholdsService } from '../classification/thresholds.service';
import { ReviewService } from '../review/review.service';

export function createServices(
  db: DataSource,
  blobs: BlobStore,
  pubsub: PerceptPubSub,
  config: Config,
  pool: () => LocalPool | null,
): Services {
  const queue = new TaskQueue(db, config.taskMaxAttempts, config.taskLeaseMs, (id) => {
    pubsub.publish('TASK_CHANGED', id);
  });
  const taskFeed = startTaskFeed(db, pubsub);
  const uploadsDir = join(config.dataDir, 'uploads');
  const models = new ModelService(db, blobs, config.limits, pubsub);
  const training = new TrainingService(db, models, queue, pubsub, taskFeed);
  const classify = new ClassifyService(
    db,
    training,
    blobs,
    new MicroBatcher(new PooledInference(pool, blobs)),
    config.limits,
    config.allowPrivateUrls,
    { queue, uploadsDir, nodeId: config.nodeId },
  );
  const auth = new AuthService(
    db,
    config.sessionTtlHours,
    pubsub,
    undefined,
    new LoginThrottle({
      ...LOGIN_THROTTLE,
      accountFailures: config.limits.loginAccountFailures,
      addressFailures: config.limits.loginAddressFailures,
    }),
    config.signUp,
  );
  void forgetOnChange(pubsub, classify, auth);
  const verifier = new ChildProcessVerifier();
  return {
    limits: config.limits,
    auth,
    accounts: new AccountService(db, auth, models),
    models,
    tasks: new TaskService(db, queue, pubsub, taskFeed),
    runners: new RunnerService(db, pubsub, pool),
    // A remote runner heartbeats every few seconds; a lease's length of silence marks it FAILED.
    remoteRunners: new RemoteRunners(db, queue, config.nodeId, config.taskLeaseMs, pubsub),
    runnerData: new RunnerDataService(
      db,
      blobs,
      new ImagePixels(blobs, { allowPrivateUrls: config.allowPrivateUrls, maxPixels: config.limits.imagePixels }),
      config.shards.bytes,
    ),
    datasets: new DatasetService(db, blobs, queue, models, auth, config),
    training,
    expansion: new ExpansionService(db, models, queue, blobs, pubsub, taskFeed),
    classify,
    thresholds: new ThresholdsService(db, blobs, models, pubsub),
    review: new ReviewService(db, blobs, models, auth),
    exports: new ExportService(db, blobs, classify, models, auth, uploadsDir, verifier),
    modelImports: new ModelImportService(db, blobs, config.limits, uploadsDir, verifier),
  };
}

/**
 * Cached serving state of a model goes when the model changes, a cached principal when its token or
 * user changes, on any server (the pubsub relays); everything goes when the relay may have missed events.
 */
async function forgetOnChange(pubsub: PerceptPubSub, classify: ClassifyService, auth: AuthService): Promise<void> {
  await Promise.all([
    (async () => {
      for await (const modelId of pubsub.subscribe('MODEL_CHANGED')) classify.forget(modelId);
    })(),
    (async () => {
      for await (const change of pubsub.subscribe('IDENTITY_CHANGED')) auth.forget(change);
    })(),
    (async () => {
      for await (const _at of pubsub.subscribe('RELAY_RESUMED')) {
        classify.forgetAll();
        auth.forget('all');
      }
    })(),
  ]);
}
