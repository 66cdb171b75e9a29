import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from './database';

export const MAIN = join(__dirname, '..', '..', 'server', 'main.js');

export interface Proc {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** `node dist/server/main.js <args>` as a real child process, its output collected. */
export function percept(args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: (() => void)[] = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    waiters.forEach((w) => w());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return {
    child,
    output: () => out,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => reject(new Error(`no ${pattern} in output:\n${out}`)), timeoutMs);
        child.once('exit', (code) =>
          setTimeout(() => reject(new Error(`exited (${code}) before ${pattern}:\n${out}`)), 50),
        );
        waiters.push(check);
        check();
      }),
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
  };
}

/**
 * A `percept serve` process on a database and data directory of its own, which a test may kill and
 * start again (same node id, so the restart recovers what the killed one held).
 */
export class RestartableServer {
  readonly procs: Proc[] = [];
  database!: TestDatabase;
  dataDir!: string;

  constructor(
    private readonly nodeId: string,
    private readonly env: Record<string, string>,
  ) {}

  async setUp(): Promise<void> {
    this.database = await createTestDatabase();
    this.dataDir = mkdtempSync(join(tmpdir(), `percept-${this.nodeId}-`));
  }

  async tearDown(): Promise<void> {
    for (const p of this.procs) await p.kill('SIGKILL');
    await this.database.drop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Starts a server and resolves with its GraphQL URL. */
  async serve(): Promise<string> {
    const p = percept(['serve'], {
      DATABASE_URL: this.database.url,
      PERCEPT_DATA_DIR: this.dataDir,
      PERCEPT_NODE_ID: this.nodeId,
      PORT: '0',
      PERCEPT_HOST: '127.0.0.1',
      PERCEPT_LOG_LEVEL: 'warn',
      ...this.env,
    });
    this.procs.push(p);
    return `${(await p.waitFor(/Percept is running at (\S+)/))[1]}/graphql`;
  }
}
