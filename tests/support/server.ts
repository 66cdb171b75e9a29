import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPercept, type Percept } from '../../server/app/startup';
import { loadConfig, type Config } from '../../server/config/config';
import { createLogger } from '../../server/logging/logger';
import { createTestDatabase } from './database';

export interface TestServer {
  url: string;
  graphqlUrl: string;
  percept: Percept;
  config: Config;
  databaseUrl: string;
  stop(): Promise<void>;
}

/** A real Percept on a random port, with its own database and data directory. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'percept-test-'));
  const config = loadConfig({
    PORT: '0',
    PERCEPT_HOST: '127.0.0.1',
    PERCEPT_DATA_DIR: dataDir,
    PERCEPT_LOCAL_RUNNERS: '0',
    // Tests sign up many users; the default (invite) is tested in tests/security.test.ts.
    PERCEPT_SIGNUP: 'open',
    ...env,
    DATABASE_URL: database.url,
  });
  const percept = await startPercept(config, createLogger(process.env.PERCEPT_LOG_LEVEL ?? 'silent'));
  return {
    url: percept.url,
    graphqlUrl: `${percept.url}/graphql`,
    percept,
    config,
    databaseUrl: database.url,
    stop: async () => {
      await percept.stop();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
