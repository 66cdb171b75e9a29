#!/usr/bin/env node
// Percept's command line: `serve` (default), `admin <email> [--password <p>]`, `runner --server URL --token T`.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { startPercept } from './app/startup';
import { AuthService } from './auth/auth.service';
import { ConfigError, loadConfig } from './config/config';
import { connectAndMigrate, provideDatabase } from './db/database';
import { EmbeddedPostgresError } from './db/embedded';
import { createLogger } from './logging/logger';

async function serve(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const percept = await startPercept(config, log);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    void percept.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  console.error(`\n  Percept is running at ${percept.url}  (GraphQL: ${percept.url}/graphql)\n`);
}

/** Creates or promotes an admin account directly in the database (the server need not run). */
async function admin(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { password: { type: 'string' } },
  });
  const email = positionals[0];
  if (!email) throw new Error('usage: npm run admin -- <email> [--password <password>]');
  const config = loadConfig();
  const database = await provideDatabase(config.databaseUrl, config.dataDir);
  const db = await connectAndMigrate(database.url);
  try {
    const { user, created } = await new AuthService(db, config.sessionTtlHours).ensureAdmin(email, values.password);
    console.log(`${user.email} is now an admin${created ? ' (account created)' : ''}.`);
  } finally {
    await db.destroy();
    await database.stop();
  }
}

async function main(): Promise<void> {
  const [command = 'serve', ...rest] = process.argv.slice(2);
  switch (command) {
    case 'serve':
      return serve();
    case 'admin':
      return admin(rest);
    case 'runner':
      // Loaded only here: it brings TensorFlow.js, which the API server itself does not need.
      return (await import('./runners/remote-main.js')).runRemoteRunner(rest);
    default:
      throw new Error(`unknown command ${command}; use serve, admin or runner`);
  }
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) console.error(e.message);
  else if (e instanceof EmbeddedPostgresError)
    console.error(`Percept cannot start its embedded PostgreSQL: ${e.message}`);
  else console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
