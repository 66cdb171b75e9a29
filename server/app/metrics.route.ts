import express, { type Request, type Response } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { Access, checkOperation } from '../auth/access';
import { bearer } from '../auth/bearer';
import type { Principal } from '../auth/principal';
import { httpAnswer } from '../errors';
import { registry, runnerCount, taskCount } from '../metrics/metrics';
import { RunnerKind, RunnerStatus } from '../runners/runner.entity';
import { RunnerRepository } from '../runners/runner.repository';
import { TaskStatus } from '../tasks/task.entity';
import { TaskRepository } from '../tasks/task.repository';
import { TaskType } from '../tasks/task-type';

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
        const answer = httpAnswer(e);
        if (!answer) throw e;
        if (answer.status === 401) res.setHeader('www-authenticate', 'Bearer');
        res.status(answer.status).json(answer.body);
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

/** The exposition text, with the shared state read from `db` now. */
async function metricsText(db: DataSource): Promise<string> {
  const [taskRows, runnerRows] = await Promise.all([
    new TaskRepository(db).countsByTypeAndStatus(),
    new RunnerRepository(db).countsByKindAndStatus(),
  ]);
  // Every combination, zeros included, so alerts and rate() see a series from the start.
  for (const type of Object.values(TaskType))
    for (const status of Object.values(TaskStatus)) taskCount.set({ type, status }, 0);
  for (const r of taskRows) taskCount.set({ type: r.type, status: r.status }, r.n);
  for (const kind of Object.values(RunnerKind))
    for (const status of Object.values(RunnerStatus)) runnerCount.set({ kind, status }, 0);
  for (const r of runnerRows) runnerCount.set({ kind: r.kind, status: r.status }, r.n);
  return registry.metrics();
}
