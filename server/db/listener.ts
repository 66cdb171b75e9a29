import { Client } from 'pg';
import type { Logger } from '../logging/logger';

export interface Listener {
  /** Sends a NOTIFY on the listening connection (dropped while it reconnects). */
  notify(channel: string, payload: string): Promise<void>;
  stop(): Promise<void>;
}

const MAX_BACKOFF_MS = 10_000;

/**
 * A dedicated connection that LISTENs on `channel` and comes back by itself when PostgreSQL
 * restarts or the connection drops: a LISTEN does not survive its connection, and without this a
 * server would silently stop hearing other servers. `onReconnect` runs after each reconnection,
 * because notifications sent meanwhile are lost and the caller may need to catch up.
 */
export async function listen(opts: {
  url: string;
  channel: string;
  onNotification: (payload: string | undefined) => void;
  onReconnect?: () => void;
  log: Logger;
}): Promise<Listener> {
  let client: Client | null = null;
  let stopped = false;
  let backoff = 500;

  const connect = async (): Promise<void> => {
    const c = new Client({ connectionString: opts.url });
    c.on('notification', (msg) => opts.onNotification(msg.payload));
    const lost = (err?: Error) => {
      if (client !== c) return;
      client = null;
      if (stopped) return;
      opts.log.warn({ err, channel: opts.channel }, 'LISTEN connection lost; reconnecting');
      void c.end().catch(() => {});
      scheduleReconnect();
    };
    c.on('error', lost);
    c.on('end', () => lost());
    await c.connect();
    await c.query(`LISTEN ${opts.channel}`);
    client = c;
    backoff = 500;
  };

  const scheduleReconnect = () => {
    setTimeout(() => {
      if (stopped) return;
      connect().then(
        () => {
          opts.log.info({ channel: opts.channel }, 'LISTEN connection back');
          opts.onReconnect?.();
        },
        () => {
          backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
          scheduleReconnect();
        },
      );
    }, backoff).unref();
  };

  await connect();
  return {
    notify: async (channel, payload) => {
      if (client) await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    stop: async () => {
      stopped = true;
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}
