import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { createServices, type Services } from '../../server/app/services';
import type { UserPrincipal } from '../../server/auth/principal';
import { TokenScope } from '../../server/auth/token.entity';
import { Role } from '../../server/auth/user.entity';
import { loadConfig, type Config } from '../../server/config/config';
import { connectAndMigrate } from '../../server/db/database';
import { createPerceptPubSub, type PerceptPubSub } from '../../server/events/pubsub';
import type { Model } from '../../server/models/model.entity';
import { PostgresBlobStore } from '../../server/storage/postgres-blob-store';
import { createTestDatabase } from './database';
import { png } from './fixtures';

/**
 * Services built with their real dependencies — a migrated PostgreSQL database of their own, the
 * PostgreSQL blob store, an in-process pubsub — and no HTTP server, orchestrator or runners, so
 * that a test calls a service method directly and looks at the rows it left.
 */
export interface ServiceHarness {
  db: DataSource;
  pubsub: PerceptPubSub;
  config: Config;
  services: Services;
  /** A user row and the principal of a full-scope session token of it. */
  user(role?: Role): Promise<UserPrincipal>;
  /** A model of `owner`'s, made by ModelService from a small PNG. */
  model(owner: UserPrincipal): Promise<Model>;
  close(): Promise<void>;
}

export async function serviceHarness(env: NodeJS.ProcessEnv = {}): Promise<ServiceHarness> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'percept-services-'));
  const db = await connectAndMigrate(database.url);
  const config = loadConfig({ PERCEPT_DATA_DIR: dataDir, PERCEPT_LOCAL_RUNNERS: '0', PERCEPT_SIGNUP: 'open', ...env });
  const pubsub = createPerceptPubSub();
  const services = createServices(db, new PostgresBlobStore(db), pubsub, config, () => null);
  let users = 0;
  return {
    db,
    pubsub,
    config,
    services,
    user: async (role = Role.USER) => {
      const { user } = await services.auth.signUp(`user${++users}@example.com`, 'long enough password');
      // Open sign-up; a test says which role it wants.
      await db.query('UPDATE users SET role = $2 WHERE id = $1', [user.id, role]);
      const tokenId = (await db.query(`SELECT id FROM tokens WHERE "userId" = $1`, [user.id]))[0].id as string;
      return { kind: 'user', userId: user.id, role, tokenId, scope: TokenScope.FULL };
    },
    model: async (owner) => {
      const data = await png(16, 12, 3);
      const sampleImage = Promise.resolve({
        filename: 'sample.png',
        mimetype: 'image/png',
        encoding: '7bit',
        createReadStream: () => Readable.from([data]),
      });
      return services.models.create(owner, { name: 'service test', sampleImage, expandable: false });
    },
    close: async () => {
      await db.destroy();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
