import 'reflect-metadata';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { Config } from '../config/config';
import { connectAndMigrate, provideDatabase, type DatabaseHandle } from '../db/database';
import { createSharedPubSub } from '../events/pubsub';
import type { LocalPool } from '../runners/local-pool';
import type { Orchestrator } from '../runners/orchestrator';
import { startRunnerPool } from './runner-pool';
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
  metricsUrl: string;
  db: DataSource;
  services: Services;
  blobs: BlobStore;
  pool: LocalPool | null;
  orchestrator: Orchestrator;
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

    const blobs: BlobStore =
      config.blobStore === 'postgres'
        ? new PostgresBlobStore(db)
        : new FilesystemBlobStore(join(config.dataDir, 'blobs'));
    const shared = await createSharedPubSub(database.url, log);
    cleanups.push({ name: 'pubsub relay', run: shared.stop });
    const pubsub = shared.pubsub;
    let pool: LocalPool | null = null;
    const services = createServices(db, blobs, pubsub, config, () => pool);

    const runners = await startRunnerPool({ config, db, databaseUrl: database.url, services, pubsub, blobs, log });
    pool = runners.pool;
    cleanups.push({ name: 'runner pool', run: runners.stop });

    const setupCode = await services.auth.issueSetupCode();
    if (setupCode) {
      log.warn(
        { setupCode },
        `No admin yet. The first account signed up on this machine becomes admin; from elsewhere, sign up with code ${setupCode} (or run npm run admin -- <email> --password <password>).`,
      );
    }
    // Retention: once at start, then hourly.
    const purge = async () => {
      try {
        const purged = await services.tasks.purgeExpired(config.taskRetentionDays);
        if (purged) log.info({ purged, days: config.taskRetentionDays }, 'purged the payloads of old finished tasks');
      } catch (err) {
        log.warn({ err }, 'could not purge old finished tasks');
      }
      try {
        const expired = await services.review.purgeExpired();
        if (expired) log.info({ expired }, 'deleted unsure images that waited for review past their retention');
      } catch (err) {
        log.warn({ err }, 'could not delete expired unsure images');
      }
    };
    await purge();
    const purgeTimer = setInterval(() => void purge(), 3_600_000);
    cleanups.push({ name: 'task retention', run: async () => clearInterval(purgeTimer) });
    const api: Api = await startApi({ config, schema: await buildPerceptSchema(pubsub), services, db, pubsub, log });
    cleanups.push({ name: 'api', run: () => api.close() });
    log.info({ url: api.url, metrics: api.metricsUrl }, 'Percept is serving');

    return {
      url: api.url,
      metricsUrl: api.metricsUrl,
      db,
      services,
      blobs,
      pool,
      orchestrator: runners.orchestrator,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
