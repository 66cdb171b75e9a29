import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { provideDatabase, type DatabaseHandle } from '../../server/db/database';

export interface BenchServer {
  url: string;
  graphqlUrl: string;
  databaseUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Percept in its own process (so the bench's client does not share its event loop), on a fresh
 * database: on DATABASE_URL's server when set, else on an embedded PostgreSQL of the bench's own.
 */
export async function startBenchServer(env: Record<string, string> = {}): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'percept-bench-'));
  const pg: DatabaseHandle = await provideDatabase(process.env.DATABASE_URL ?? null, dataDir);
  const name = `percept_bench_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: pg.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(pg.url);
  url.pathname = `/${name}`;
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'server', 'main.js'), 'serve'], {
    env: {
      ...process.env,
      PORT: '0',
      PERCEPT_HOST: '127.0.0.1',
      PERCEPT_LOG_LEVEL: 'warn',
      PERCEPT_DATA_DIR: join(dataDir, 'server'),
      ...env,
      DATABASE_URL: url.toString(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const serverUrl = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /Percept is running at (\S+)/.exec(output);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => {
      onData(d);
      if (process.env.BENCH_VERBOSE) process.stderr.write(d);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${output}`)));
  });
  return {
    url: serverUrl,
    graphqlUrl: `${serverUrl}/graphql`,
    databaseUrl: url.toString(),
    process: child,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      await pg.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
