import { createPubSub } from '@graphql-yoga/subscription';
import { randomUUID } from 'node:crypto';
import { listen, type Listener } from '../db/listener';
import type { Logger } from '../logging/logger';

/**
 * Topics carry ids only: subscribers reload the current row, so every event shows the latest
 * state, and events stay far below PostgreSQL's 8000-byte NOTIFY limit when they cross processes.
 */
export type Topics = {
  /** Keyed by model id. */
  MODEL_UPDATED: [modelId: string, modelId: string];
  /** Every model change, for caches (see modelChanged). */
  MODEL_CHANGED: [modelId: string];
  /** Keyed by task id. */
  TASK_UPDATED: [taskId: string, taskId: string];
  /** Every task change, for lists (filtered by owner or admin in the resolver). */
  TASK_CHANGED: [taskId: string];
  RUNNER_CHANGED: [runnerId: string];
};

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
  pubsub.publish('MODEL_UPDATED', modelId, modelId);
  pubsub.publish('MODEL_CHANGED', modelId);
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
