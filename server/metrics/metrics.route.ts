import express, { type Request, type Response } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { Access, checkOperation } from '../auth/access';
import { bearer } from '../auth/bearer';
import type { Principal } from '../auth/principal';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import { metricsText, registry } from './metrics';

type Authenticate = (secret: string) => Promise<Principal | null>;

/**
 * GET /metrics. On the API's port it needs an admin's token (session or FULL API token); on a
 * listener of its own (PERCEPT_METRICS_LISTEN, for a scraper on a private network) it needs none.
 */
export function metricsRoute(db: DataSource, authenticate: Authenticate | null) {
  return async (req: Request, res: Response) => {
    if (authenticate) {
      const secret = bearer(req.headers.authorization);
      try {
        checkOperation(secret ? await authenticate(secret) : null, [Access.ADMIN]);
      } catch (e) {
        if (!(e instanceof UnauthenticatedError || e instanceof ForbiddenError)) throw e;
        const unauthenticated = e instanceof UnauthenticatedError;
        if (unauthenticated) res.setHeader('www-authenticate', 'Bearer');
        res
          .status(unauthenticated ? 401 : 403)
          .json({ errors: [{ message: e.message, extensions: { code: e.extensions.code } }] });
        return;
      }
    }
    res.type(registry.contentType).send(await metricsText(db));
  };
}

/** The separate metrics listener: `/metrics` only, no token. */
export async function startMetricsListener(
  listen: { host: string; port: number },
  db: DataSource,
): Promise<{ server: Server; url: string }> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsRoute(db, null));
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}/metrics` };
}
