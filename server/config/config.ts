import { readFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** Every setting Percept reads, typed and validated once at startup. */
export interface Config {
  port: number;
  host: string;
  /** Who may sign up: anyone, holders of an admin's invitation, or nobody (server/auth/access.ts). */
  signUp: 'open' | 'invite' | 'closed';
  /** Finished tasks' payloads and results are purged after this many days. */
  taskRetentionDays: number;
  /** Where embedded PostgreSQL, file blobs and temporary uploads live. */
  dataDir: string;
  /** Unset: an embedded PostgreSQL is started in `dataDir/postgres`. */
  databaseUrl: string | null;
  blobStore: 'postgres' | 'filesystem';
  localRunners: number;
  /** Training data (datasets/shards.ts, runners/data): shard size, the runners' disk cache and memory. */
  shards: ShardSettings;
  /** How many cores one training round may use (server/ml/replica.ts). */
  training: TrainingSettings;
  orchestratorTickMs: number;
  taskLeaseMs: number;
  taskMaxAttempts: number;
  /** Identifies this server process's node in task locks; stable across restarts of one install. */
  nodeId: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  limits: Limits;
  sessionTtlHours: number;
  /** Let dataset URLs reach loopback and private networks (off: a server-side request forgery guard). */
  allowPrivateUrls: boolean;
  /** Serve /metrics here, without a token; null: on the API's port, for admins only. */
  metricsListen: { host: string; port: number } | null;
}

export interface ShardSettings {
  /** Largest training shard written at import, in bytes. */
  bytes: number;
  /** Local runners' shard cache on disk (shared by them), and its cap in MiB (0: no cache). */
  cacheDir: string;
  cacheMb: number;
  /** Pixels a runner holds of one dataset split: all of it when it fits, else its shuffle buffer. */
  shuffleBufferKb: number;
}

export interface TrainingSettings {
  /** Cores a round may use when fewer candidates train than there are runners: 1, or 2 (a replica). */
  threads: number;
  /** Work per epoch, in millions of multiply-adds (forward and backward), from which a replica pays. */
  replicaMinEpochMmacs: number;
}

export interface Limits {
  /** Largest JSON request body, in bytes. */
  requestBodyBytes: number;
  /** Largest single uploaded file, in bytes (refused while streaming, never read whole). */
  uploadBytes: number;
  uploadFiles: number;
  /** Decompression-bomb guard for any image Percept decodes. */
  imagePixels: number;
  zipEntries: number;
  zipTotalBytes: number;
  zipEntryBytes: number;
  zipRatio: number;
  /** GraphQL documents: nesting depth, static cost (fields × list sizes), aliases, root fields, tokens. */
  queryDepth: number;
  queryCost: number;
  aliases: number;
  rootFields: number;
  queryTokens: number;
  /** `classify` and `classifyBatch` requests per API or session token per minute (per server process). */
  classifyPerMinute: number;
  /** Open GraphQL subscriptions on one WebSocket, and of one user over all sockets (per server process). */
  subscriptionsPerSocket: number;
  subscriptionsPerUser: number;
  /** Failed log-ins before back-off, per account and per client address (LoginThrottle). */
  loginAccountFailures: number;
  loginAddressFailures: number;
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`invalid setting ${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Source = Record<string, unknown>;

/** Environment wins over the optional JSON file named by PERCEPT_CONFIG. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = readConfigFile(env.PERCEPT_CONFIG);
  const read = new Reader(env, file);
  const dataDir = resolve(read.string('PERCEPT_DATA_DIR', 'dataDir', './data'));
  return {
    port: read.int('PORT', 'port', 4000, 0, 65535),
    host: read.string('PERCEPT_HOST', 'host', '0.0.0.0'),
    signUp: read.oneOf('PERCEPT_SIGNUP', 'signUp', ['open', 'invite', 'closed'] as const, 'invite'),
    taskRetentionDays: read.int('PERCEPT_TASK_RETENTION_DAYS', 'taskRetentionDays', 30, 1, 36_500),
    dataDir,
    databaseUrl: read.optionalString('DATABASE_URL', 'databaseUrl'),
    blobStore: read.oneOf('PERCEPT_BLOB_STORE', 'blobStore', ['postgres', 'filesystem'] as const, 'postgres'),
    localRunners: read.int('PERCEPT_LOCAL_RUNNERS', 'localRunners', Math.max(1, cpus().length), 0, 256),
    shards: {
      bytes: read.int('PERCEPT_SHARD_BYTES', 'shards.bytes', 4 << 20, 1, 2 ** 30),
      cacheDir: resolve(read.string('PERCEPT_SHARD_CACHE_DIR', 'shards.cacheDir', join(dataDir, 'shard-cache'))),
      cacheMb: read.int('PERCEPT_SHARD_CACHE_MB', 'shards.cacheMb', 4096, 0, 2 ** 24),
      shuffleBufferKb: read.int('PERCEPT_SHUFFLE_BUFFER_KB', 'shards.shuffleBufferKb', 64 << 10, 1, 2 ** 26),
    },
    training: {
      threads: read.int('PERCEPT_TRAIN_THREADS', 'training.threads', 2, 1, 2),
      replicaMinEpochMmacs: read.int(
        'PERCEPT_REPLICA_MIN_EPOCH_MMACS',
        'training.replicaMinEpochMmacs',
        50_000,
        0,
        2 ** 31 - 1,
      ),
    },
    orchestratorTickMs: read.int('PERCEPT_TICK_MS', 'orchestratorTickMs', 5000, 50, 3_600_000),
    taskLeaseMs: read.int('PERCEPT_TASK_LEASE_MS', 'taskLeaseMs', 30_000, 1000, 86_400_000),
    taskMaxAttempts: read.int('PERCEPT_TASK_MAX_ATTEMPTS', 'taskMaxAttempts', 3, 1, 100),
    nodeId: read.string('PERCEPT_NODE_ID', 'nodeId', `${hostname()}-${hashish(dataDir)}`),
    logLevel: read.oneOf(
      'PERCEPT_LOG_LEVEL',
      'logLevel',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
    ),
    sessionTtlHours: read.int('PERCEPT_SESSION_TTL_HOURS', 'sessionTtlHours', 24 * 30, 1, 24 * 365),
    allowPrivateUrls: read.bool('PERCEPT_ALLOW_PRIVATE_URLS', 'allowPrivateUrls', false),
    metricsListen: read.listenAddress('PERCEPT_METRICS_LISTEN', 'metricsListen'),
    limits: {
      requestBodyBytes: read.int('PERCEPT_MAX_REQUEST_BYTES', 'limits.requestBodyBytes', 2 ** 20, 1024, 2 ** 30),
      uploadBytes: read.int('PERCEPT_MAX_UPLOAD_BYTES', 'limits.uploadBytes', 2 * 2 ** 30, 1024, 64 * 2 ** 30),
      uploadFiles: read.int('PERCEPT_MAX_UPLOAD_FILES', 'limits.uploadFiles', 10, 1, 10_000),
      imagePixels: read.int('PERCEPT_MAX_IMAGE_PIXELS', 'limits.imagePixels', 50_000_000, 1, 2 ** 31),
      zipEntries: read.int('PERCEPT_MAX_ZIP_ENTRIES', 'limits.zipEntries', 200_000, 1, 10_000_000),
      zipTotalBytes: read.int('PERCEPT_MAX_ZIP_TOTAL_BYTES', 'limits.zipTotalBytes', 8 * 2 ** 30, 1, 2 ** 40),
      zipEntryBytes: read.int('PERCEPT_MAX_ZIP_ENTRY_BYTES', 'limits.zipEntryBytes', 64 * 2 ** 20, 1, 2 ** 34),
      zipRatio: read.int('PERCEPT_MAX_ZIP_RATIO', 'limits.zipRatio', 200, 1, 1_000_000),
      queryDepth: read.int('PERCEPT_MAX_QUERY_DEPTH', 'limits.queryDepth', 12, 2, 1000),
      queryCost: read.int('PERCEPT_MAX_QUERY_COST', 'limits.queryCost', 5000, 10, 10_000_000),
      aliases: read.int('PERCEPT_MAX_ALIASES', 'limits.aliases', 30, 0, 100_000),
      rootFields: read.int('PERCEPT_MAX_ROOT_FIELDS', 'limits.rootFields', 20, 1, 100_000),
      queryTokens: read.int('PERCEPT_MAX_QUERY_TOKENS', 'limits.queryTokens', 10_000, 200, 10_000_000),
      classifyPerMinute: read.int('PERCEPT_CLASSIFY_PER_MINUTE', 'limits.classifyPerMinute', 600, 1, 1_000_000),
      subscriptionsPerSocket: read.int(
        'PERCEPT_MAX_SUBSCRIPTIONS_PER_SOCKET',
        'limits.subscriptionsPerSocket',
        100,
        1,
        1_000_000,
      ),
      subscriptionsPerUser: read.int(
        'PERCEPT_MAX_SUBSCRIPTIONS_PER_USER',
        'limits.subscriptionsPerUser',
        500,
        1,
        1_000_000,
      ),
      loginAccountFailures: read.int('PERCEPT_LOGIN_ACCOUNT_FAILURES', 'limits.loginAccountFailures', 5, 1, 1000),
      loginAddressFailures: read.int('PERCEPT_LOGIN_ADDRESS_FAILURES', 'limits.loginAddressFailures', 20, 1, 100_000),
    },
  };
}

function readConfigFile(path: string | undefined): Source {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('PERCEPT_CONFIG', `cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Source;
  } catch (e) {
    throw new ConfigError('PERCEPT_CONFIG', `${path} is not a JSON object: ${(e as Error).message}`);
  }
}

class Reader {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly file: Source,
  ) {}

  private raw(envName: string, filePath: string): { value: unknown; name: string } | null {
    const fromEnv = this.env[envName];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, name: envName };
    let node: unknown = this.file;
    for (const part of filePath.split('.')) {
      node = typeof node === 'object' && node !== null ? (node as Source)[part] : undefined;
    }
    return node === undefined || node === null ? null : { value: node, name: `${filePath} (config file)` };
  }

  optionalString(envName: string, filePath: string): string | null {
    const r = this.raw(envName, filePath);
    if (!r) return null;
    if (typeof r.value !== 'string') throw new ConfigError(r.name, 'must be a string');
    return r.value;
  }

  string(envName: string, filePath: string, fallback: string): string {
    return this.optionalString(envName, filePath) ?? fallback;
  }

  int(envName: string, filePath: string, fallback: number, min: number, max: number): number {
    const r = this.raw(envName, filePath);
    if (!r) return fallback;
    const n = typeof r.value === 'number' ? r.value : Number(String(r.value).trim());
    if (!Number.isInteger(n)) throw new ConfigError(r.name, `must be a whole number, got ${JSON.stringify(r.value)}`);
    if (n < min || n > max) throw new ConfigError(r.name, `must be between ${min} and ${max}, got ${n}`);
    return n;
  }

  /** `host:port` (`[::1]:9464` for IPv6) or a bare port, which listens on 127.0.0.1. */
  listenAddress(envName: string, filePath: string): { host: string; port: number } | null {
    const r = this.raw(envName, filePath);
    if (!r) return null;
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$|^(\d+)$/.exec(String(r.value).trim());
    const port = Number(m?.[3] ?? m?.[4]);
    if (!m || port > 65535)
      throw new ConfigError(r.name, `must be host:port or a port, got ${JSON.stringify(r.value)}`);
    return { host: m[1] ?? m[2] ?? '127.0.0.1', port };
  }

  bool(envName: string, filePath: string, fallback: boolean): boolean {
    const r = this.raw(envName, filePath);
    if (!r) return fallback;
    if (r.value === true || r.value === 'true' || r.value === '1') return true;
    if (r.value === false || r.value === 'false' || r.value === '0') return false;
    throw new ConfigError(r.name, `must be true or false, got ${JSON.stringify(r.value)}`);
  }

  oneOf<T extends string>(envName: string, filePath: string, allowed: readonly T[], fallback: T): T {
    const r = this.raw(envName, filePath);
    if (!r) return fallback;
    if (!allowed.includes(r.value as T)) {
      throw new ConfigError(r.name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(r.value)}`);
    }
    return r.value as T;
  }
}

function hashish(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}
