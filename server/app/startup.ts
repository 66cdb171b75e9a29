import 'reflect-metadata';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { Config } from '../config/config';
import { connectAndMigrate, provideDatabase, type DatabaseHandle } from '../db/database';
import { createPerceptPubSub } from '../graphql/pubsub';
import { buildPerceptSchema } from '../graphql/schema';
import type { Logger } from '../logging/logger';
import type { BlobStore } from '../storage/blob-store';
import { FilesystemBlobStore } from '../storage/filesystem-blob-store';
import { PostgresBlobStore } from '../storage/postgres-blob-store';
import { recoverInterruptedTasks } from '../tasks/recovery';
import { startApi, type Api } from './http';
import { createServices, type Services } from './services';

export interface Percept {
  url: string;
  db: DataSource;
  services: Services;
  blobs: BlobStore;
  stop(): Promise<void>;
}

/** The seed's startup order: database, migrations, pre-startup checks, runner pool, then the API. */
export async function startPercept(config: Config, log: Logger): Promise<Percept> {
  const cleanups: { name: string; run: () => Promise<void> }[] = [];
  const stop = async () => {
    for (const { name, run } of cleanups.reverse()) {
      try {
        log.debug({ step: name }, 'stopping');
        await run();
      } catch (e) {
        log.error({ err: e, step: name }, 'error while shutting down');
      }
    }
    log.info('stopped');
  };
  try {
    const database: DatabaseHandle = await provideDatabase(config.databaseUrl, config.dataDir, (line) =>
      log.debug({ component: 'postgres' }, line),
    );
    cleanups.push({ name: 'postgres', run: database.stop });
    log.info({ embedded: database.embedded, url: database.url.replace(/:[^:@/]*@/, ':***@') }, 'database ready');

    const db = await connectAndMigrate(database.url);
    cleanups.push({ name: 'database connections', run: () => db.destroy() });
    log.info({ migrations: db.migrations.length }, 'migrations applied');

    await recoverInterruptedTasks(db, config.nodeId, log);

    // The runner pool starts here once it exists (issue: tasks, orchestrator and runner pool).

    const blobs: BlobStore =
      config.blobStore === 'postgres'
        ? new PostgresBlobStore(db)
        : new FilesystemBlobStore(join(config.dataDir, 'blobs'));
    const pubsub = createPerceptPubSub();
    const services = createServices(db, blobs, pubsub, config);
    const api: Api = await startApi({ config, schema: await buildPerceptSchema(pubsub), services, db, log });
    cleanups.push({ name: 'api', run: () => api.close() });
    log.info({ url: api.url }, 'Percept is serving');

    return { url: api.url, db, services, blobs, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
