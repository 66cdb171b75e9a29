import { Router, type Request, type Response } from 'express';
import type { AuthService } from '../auth/auth.service';
import { runnerMay } from '../auth/access';
import { bearer } from '../auth/bearer';
import type { DatasetSnapshot } from '../datasets/image.queries';
import type { Task } from '../tasks/task.entity';
import type { RunnerDataService } from './data/data.service';
import type { RemoteRunners } from './remote-runners';

/**
 * Bulk data for remote runners over plain HTTP (GraphQL is for control): the dataset index of the
 * task a runner holds with its loose images, and the blobs that task reads and writes (shards of
 * its dataset, checkpoints, exported models).
 * Every request names the task and attempt; the runner token must hold it with a live lease, and
 * the key must be one of the task's (server/auth/access.ts `runnerMay`); anything else is 403.
 */
export function runnerRoutes(
  services: {
    auth: Pick<AuthService, 'authenticate'>;
    runnerData: RunnerDataService;
    remoteRunners: Pick<RemoteRunners, 'heldTask'>;
  },
  maxBlobBytes: number,
): Router {
  const router = Router();

  /** The task the caller holds, or null once a refusal has been sent. */
  const held = async (req: Request, res: Response): Promise<Task | null> => {
    const secret = bearer(req.headers.authorization);
    const who = secret ? await services.auth.authenticate(secret) : null;
    if (who?.kind !== 'runner') {
      res.status(who ? 403 : 401).json({ error: 'a runner token is required' });
      return null;
    }
    const params = req.params as Record<string, string>;
    const task = await services.remoteRunners.heldTask(who.tokenId, params[0]!, Number(params[1]));
    if (!task) res.status(403).json({ error: 'this runner does not hold that attempt of that task' });
    return task;
  };
  const refuse = (res: Response) => res.status(403).json({ error: 'not part of the task this runner holds' });

  router.get(/^\/tasks\/([^/]+)\/(\d+)\/datasets\/([^/]+)$/, async (req, res, next) => {
    try {
      const task = await held(req, res);
      if (!task) return;
      const modelId = (req.params as Record<string, string>)[2]!;
      if (!runnerMay(task, { dataset: modelId })) return void refuse(res);
      // The snapshot comes from the task the runner holds, not from the runner.
      const snapshot = (task.payload as { snapshot?: DatasetSnapshot }).snapshot ?? null;
      res.type('application/octet-stream').send(await services.runnerData.datasetIndex(modelId, snapshot));
    } catch (e) {
      next(e);
    }
  });
  router.get(/^\/tasks\/([^/]+)\/(\d+)\/datasets\/([^/]+)\/loose$/, async (req, res, next) => {
    try {
      const task = await held(req, res);
      if (!task) return;
      const modelId = (req.params as Record<string, string>)[2]!;
      if (!runnerMay(task, { dataset: modelId })) return void refuse(res);
      const ids = typeof req.query.ids === 'string' ? req.query.ids.split(',') : [];
      const snapshot = (task.payload as { snapshot?: DatasetSnapshot }).snapshot ?? null;
      res.type('application/octet-stream').send(await services.runnerData.loosePixels(modelId, ids, snapshot));
    } catch (e) {
      next(e);
    }
  });
  router.get(/^\/tasks\/([^/]+)\/(\d+)\/blobs\/(.+)$/, async (req, res, next) => {
    try {
      const task = await held(req, res);
      if (!task) return;
      const key = (req.params as Record<string, string>)[2]!;
      if (!runnerMay(task, { read: key })) return void refuse(res);
      const data = await services.runnerData.getBlob(key);
      if (!data) res.status(404).json({ error: 'no such blob' });
      else res.type('application/octet-stream').send(data);
    } catch (e) {
      next(e);
    }
  });
  router.put(/^\/tasks\/([^/]+)\/(\d+)\/blobs\/(.+)$/, async (req, res, next) => {
    try {
      // Checked before a byte of the body is read: a refused upload costs the server nothing.
      const task = await held(req, res);
      if (!task) return;
      const key = (req.params as Record<string, string>)[2]!;
      if (!runnerMay(task, { write: key })) return void refuse(res);
      await services.runnerData.putBlob(key, await readCapped(req, res, maxBlobBytes));
      res.status(204).end();
    } catch (e) {
      next(e);
    }
  });
  // Not the web app's page: a runner asking for anything else is told plainly.
  router.use((_req, res) => void res.status(404).json({ error: 'no such runner path' }));
  return router;
}

/**
 * The request body, read as it streams in and refused with 413 as soon as it passes `max` bytes
 * (at once when its Content-Length says it will), so an oversized upload is never held whole.
 */
function readCapped(req: Request, res: Response, max: number): Promise<Buffer> {
  const tooLarge = () => {
    res.setHeader('connection', 'close'); // the rest of the body is not read
    return Object.assign(new Error(`an upload may be at most ${max} bytes`), { status: 413 });
  };
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) {
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}
