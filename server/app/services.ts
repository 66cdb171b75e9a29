import type { DataSource } from 'typeorm';
import { AuthService } from '../auth/auth.service';
import type { Config } from '../config/config';
import type { PerceptPubSub } from '../graphql/pubsub';
import { ModelService } from '../models/model.service';
import type { LocalPool } from '../runners/local-pool';
import { RemoteRunners } from '../runners/remote-runners';
import { RunnerService } from '../runners/runner.service';
import type { BlobStore } from '../storage/blob-store';
import { TaskQueue } from '../tasks/task-queue';
import { TaskService } from '../tasks/task.service';

/** The services resolvers call; built once at startup, each given only what it depends on. */
export interface Services {
  auth: AuthService;
  models: ModelService;
  tasks: TaskService;
  runners: RunnerService;
  remoteRunners: RemoteRunners;
}

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
  return {
    auth: new AuthService(db, config.sessionTtlHours),
    models: new ModelService(db, blobs, config.limits, pubsub),
    tasks: new TaskService(db, queue, pubsub),
    runners: new RunnerService(db, pubsub, pool),
    // A remote runner heartbeats every few seconds; a lease's length of silence marks it FAILED.
    remoteRunners: new RemoteRunners(db, queue, config.nodeId, config.taskLeaseMs, pubsub),
  };
}
