import type { DataSource } from 'typeorm';
import type { DatasetSnapshot } from '../datasets/image.queries';
import type { Config } from '../config/config';
import type { PerceptPubSub } from '../events/pubsub';
import type { Logger } from '../logging/logger';
import { LocalPool } from '../runners/local-pool';
import { Orchestrator } from '../runners/orchestrator';
import { RunnerRepository } from '../runners/runner.repository';
import { runnerHandlers } from '../runners/worker/registry';
import { classifyBatchHandler } from '../classification/batch.handler';
import { createImportHandler } from '../datasets/import.handler';
import type { BlobStore } from '../storage/blob-store';
import { serverHandlerRegistry } from '../tasks/task-registry';
import { expandModelHandler } from '../training/expand-model.handler';
import { trainModelHandler } from '../training/train-model.handler';
import type { Services } from './services';

/** Step 4 of startup: the handler registry is checked, local runners forked, the orchestrator started. */
export async function startRunnerPool(opts: {
  config: Config;
  db: DataSource;
  databaseUrl: string;
  services: Services;
  pubsub: PerceptPubSub;
  blobs: BlobStore;
  log: Logger;
}): Promise<{ pool: LocalPool | null; orchestrator: Orchestrator; stop(): Promise<void> }> {
  const { config, db, services, pubsub, log } = opts;
  const serverHandlers = serverHandlerRegistry(
    [
      createImportHandler({
        db,
        blobs: opts.blobs,
        limits: config.limits,
        allowPrivateUrls: config.allowPrivateUrls,
        shardBytes: config.shards.bytes,
        // New class folders in an expandable model's data start training a head for them.
        afterImport: (modelId, log) => services.expansion.afterImport(modelId, log),
      }),
      trainModelHandler({
        db,
        training: config.training,
        queue: services.tasks.queue,
        pubsub,
        runnerData: services.runnerData,
        blobs: opts.blobs,
      }),
      expandModelHandler({ db, queue: services.tasks.queue, pubsub, runnerData: services.runnerData }),
      classifyBatchHandler({
        db,
        inference: services.classify.inference,
        training: services.training,
        limits: config.limits,
      }),
    ],
    new Set(runnerHandlers().keys()),
  );
  let orchestrator: Orchestrator | null = null;
  const pool =
    config.localRunners > 0
      ? new LocalPool(
          new RunnerRepository(db),
          config.nodeId,
          config.localRunners,
          {
            ready: () => orchestrator?.onRunnerReady(),
            message: (runner, msg) => orchestrator?.onRunnerMessage(runner, msg),
            exited: (runner, assignment, reason) => orchestrator?.onRunnerExited(runner, assignment, reason),
            changed: (id) => services.runners.changed(id),
          },
          log.child({ component: 'runners' }),
          {
            datasetIndex: (modelId: string, snapshot: DatasetSnapshot | null) =>
              services.runnerData.datasetIndex(modelId, snapshot),
            loosePixels: (modelId: string, ids: string[], snapshot: DatasetSnapshot | null) =>
              services.runnerData.loosePixels(modelId, ids, snapshot),
            getBlob: (key: string) => services.runnerData.getBlob(key),
            putBlob: (key: string, bytes: Uint8Array) =>
              services.runnerData.putBlob(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
          },
          // The local runners share one shard cache on this machine (runners/data/runner-data.ts).
          {
            PERCEPT_SHARD_CACHE_DIR: config.shards.cacheDir,
            PERCEPT_SHARD_CACHE_MB: String(config.shards.cacheMb),
            PERCEPT_SHUFFLE_BUFFER_KB: String(config.shards.shuffleBufferKb),
          },
        )
      : null;
  orchestrator = new Orchestrator(
    db,
    opts.databaseUrl,
    services.tasks.queue,
    pool,
    services.remoteRunners,
    serverHandlers,
    pubsub,
    // Imports and training coordinators; coordinators mostly wait, so a few can share a server.
    { nodeId: config.nodeId, tickMs: config.orchestratorTickMs, serverConcurrency: 4 },
    log.child({ component: 'orchestrator' }),
  );
  await pool?.start();
  await orchestrator.start();
  const o = orchestrator;
  return {
    pool,
    orchestrator: o,
    stop: async () => {
      await o.stop();
      await pool?.stop();
      await o.releaseHeldTasks();
    },
  };
}
