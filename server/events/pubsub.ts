import { createPubSub } from '@graphql-yoga/subscription';
import { randomUUID } from 'node:crypto';
import { listen, type Listener } from '../db/listener';
import type { Logger } from '../logging/logger';

/**
 * Topics carry ids only: subscribers reload the current row, so every event shows the latest
 * state, and events stay far below PostgreSQL's 8000-byte NOTIFY limit when they cross processes.
 */
export type Topics = {
  /** Every model change, for caches and modelUpdated (see modelChanged). */
  MODEL_CHANGED: [modelId: string];
  /** Every task change; each server loads the row once and hands it out by key (server/tasks/task-feed.ts). */
  TASK_CHANGED: [taskId: string];
  RUNNER_CHANGED: [runnerId: string];
  /** Credentials changed (see identityChanged): principal caches and open sockets drop them. */
  IDENTITY_CHANGED: [change: IdentityChange];
  /** Local only: the relay reconnected and may have missed events, so event-fed caches start over. */
  RELAY_RESUMED: [at: number];
};

/** Why a user's credentials changed; sockets are closed with a message naming it. */
export type IdentityChangeReason = 'LOGGED_OUT' | 'TOKEN_REVOKED' | 'ROLE_CHANGED' | 'USER_DISABLED' | 'USER_DELETED';

/**
 * Whose credentials stopped being what they were. `tokenIds`: exactly these tokens are dead;
 * without it, everything of `userId` (each token's principal and every socket of the user).
 */
export interface IdentityChange {
  reason: IdentityChangeReason;
  userId?: string | null;
  tokenIds?: string[];
}

export type PerceptPubSub = ReturnType<typeof createPubSub<Topics>>;

const CHANNEL = 'percept_events';

/**
 * An EventTarget that also relays every event to the other server processes on the same
 * database through LISTEN/NOTIFY, and replays theirs locally.
 */
class PostgresRelay extends EventTarget {
  private readonly origin = randomUUID();
  private listener: Listener | null = null;
  // One connection, so NOTIFYs go one after another (and keep their order).
  private sending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {
    super();
  }

  async start(): Promise<void> {
    this.listener = await listen({
      url: this.url,
      channel: CHANNEL,
      log: this.log,
      onReconnect: () => super.dispatchEvent(new CustomEvent('RELAY_RESUMED', { detail: Date.now() })),
      onNotification: (payload) => {
        if (!payload) return;
        const { origin, type, detail } = JSON.parse(payload) as { origin: string; type: string; detail: unknown };
        if (origin !== this.origin) super.dispatchEvent(new CustomEvent(type, { detail }));
      },
    });
  }

  override dispatchEvent(event: Event): boolean {
    const delivered = super.dispatchEvent(event);
    const detail = (event as CustomEvent).detail;
    const payload = JSON.stringify({ origin: this.origin, type: event.type, detail });
    const listener = this.listener;
    if (listener) {
      this.sending = this.sending
        .then(() => listener.notify(CHANNEL, payload))
        .catch((err: unknown) => this.log.warn({ err }, 'could not relay an event to other servers'));
    }
    return delivered;
  }

  async stop(): Promise<void> {
    await this.sending;
    await this.listener?.stop();
    this.listener = null;
  }
}

export interface PubSubHandle {
  pubsub: PerceptPubSub;
  stop(): Promise<void>;
}

/** Announces a change of a model to its subscribers and to every cache of it. */
export function modelChanged(pubsub: PerceptPubSub, modelId: string): void {
  pubsub.publish('MODEL_CHANGED', modelId);
}

/**
 * Announces that credentials changed, here and on every other server (through the relay): cached
 * principals of the tokens or user are dropped and their sockets closed within moments. Call it
 * after the change is committed — whatever revokes tokens, changes a role, disables or deletes a user.
 */
export function identityChanged(pubsub: PerceptPubSub, change: IdentityChange): void {
  pubsub.publish('IDENTITY_CHANGED', change);
}

/**
 * For a process without a relay (the admin CLI, a test's own AuthService): sends one event
 * straight to every server listening on the database, in the relay's format.
 */
export async function publishToServers<K extends 'IDENTITY_CHANGED' | 'MODEL_CHANGED'>(
  db: { query(sql: string, params: unknown[]): Promise<unknown> },
  topic: K,
  payload: Topics[K][0],
): Promise<void> {
  const message = JSON.stringify({ origin: 'outside', type: topic, detail: payload });
  await db.query('SELECT pg_notify($1, $2)', [CHANNEL, message]);
}

/** In-process only (schema emission, unit tests). */
export function createPerceptPubSub(): PerceptPubSub {
  return createPubSub<Topics>();
}

/** Shared by every server on the database. */
export async function createSharedPubSub(databaseUrl: string, log: Logger): Promise<PubSubHandle> {
  const relay = new PostgresRelay(databaseUrl, log);
  await relay.start();
  return { pubsub: createPubSub<Topics>({ eventTarget: relay }), stop: () => relay.stop() };
}
