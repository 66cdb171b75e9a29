import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { ClassifyService } from '../classification/classify.service';
import { PooledInference } from '../classification/inference';
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

export function createServices(
  db: DataSource,
  blobs: BlobStore,
  pubsub: PerceptPubSub,
  config: Config,
  pool: () => LocalPool | null,
): Services {
  const queue = new TaskQueue(db, config.taskMaxAttempts, config.taskLeaseMs, (id) => {
    pubsub.publish('TASK_UPDATED', id, id);
    pubsub.publish('TASK_CHANGED', id);
  });
  const models = new ModelService(db, blobs, config.limits, pubsub);
  const training = new TrainingService(db, models, queue, pubsub);
  const classify = new ClassifyService(
    db,
    models,
    training,
    blobs,
    new MicroBatcher(new PooledInference(pool, blobs)),
    config.limits,
    config.allowPrivateUrls,
    { queue, uploadsDir: join(config.dataDir, 'uploads'), nodeId: config.nodeId },
  );
  void forgetOnChange(pubsub, classify);
  const auth = new AuthService(
    db,
    config.sessionTtlHours,
    undefined,
    new LoginThrottle({
      ...LOGIN_THROTTLE,
      accountFailures: config.limits.loginAccountFailures,
      addressFailures: config.limits.loginAddressFailures,
    }),
    config.signUp,
  );
  return {
    limits: config.limits,
    auth,
    accounts: new AccountService(db, auth, models),
    models,
    tasks: new TaskService(db, queue, pubsub),
    runners: new RunnerService(db, pubsub, pool),
    // A remote runner heartbeats every few seconds; a lease's length of silence marks it FAILED.
    remoteRunners: new RemoteRunners(db, queue, config.nodeId, config.taskLeaseMs, pubsub),
    runnerData: new RunnerDataService(
      db,
      blobs,
      new ImagePixels(blobs, { allowPrivateUrls: config.allowPrivateUrls, maxPixels: config.limits.imagePixels }),
    ),
    datasets: new DatasetService(db, blobs, queue, models, auth, config),
    training,
    expansion: new ExpansionService(db, models, queue, blobs, pubsub),
    classify,
  };
}

/** Cached serving state of a model goes when the model changes, on any server (the pubsub relays). */
async function forgetOnChange(pubsub: PerceptPubSub, classify: ClassifyService): Promise<void> {
  for await (const modelId of pubsub.subscribe('MODEL_CHANGED')) classify.forget(modelId);
}
