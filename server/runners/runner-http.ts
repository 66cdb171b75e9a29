import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { AuthService } from '../auth/auth.service';
import { bearer } from '../auth/bearer';
import type { RunnerDataService } from './data/data.service';

/**
 * Bulk data for remote runners over plain HTTP (GraphQL is for control): a model's dataset pack,
 * and reading and writing its blobs (checkpoints, exported models). Runner tokens only.
 */
export function runnerRoutes(
  services: { auth: Pick<AuthService, 'authenticate'>; runnerData: RunnerDataService },
  maxBlobBytes: number,
): Router {
  const router = Router();
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const secret = bearer(req.headers.authorization);
    const who = secret ? await services.auth.authenticate(secret) : null;
    if (who?.kind !== 'runner') {
      res.status(who ? 403 : 401).json({ error: 'a runner token is required' });
      return;
    }
    next();
  });
  router.get('/datasets/:modelId', async (req, res, next) => {
    try {
      res.type('application/octet-stream').send(await services.runnerData.datasetPack(String(req.params.modelId)));
    } catch (e) {
      next(e);
    }
  });
  router.get(/^\/blobs\/(.+)$/, async (req, res, next) => {
    try {
      const data = await services.runnerData.getBlob(String((req.params as Record<string, string>)[0]));
      if (!data) res.status(404).json({ error: 'no such blob' });
      else res.type('application/octet-stream').send(data);
    } catch (e) {
      next(e);
    }
  });
  router.put(/^\/blobs\/(.+)$/, express.raw({ type: () => true, limit: maxBlobBytes }), async (req, res, next) => {
    try {
      await services.runnerData.putBlob(String((req.params as Record<string, string>)[0]), req.body as Buffer);
      res.status(204).end();
    } catch (e) {
      next(e);
    }
  });
  return router;
}
