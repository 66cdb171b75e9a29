import type { NextFunction, Request, Response } from 'express';
import type { AuthService } from '../auth/auth.service';
import { bearer } from '../auth/bearer';
import type { DatasetService } from './dataset.service';
import { thumbSubject } from './thumbnails';

/** `GET /files/thumbs/:imageId` — PNG, for the owner (or an admin) with a signed URL or a Bearer token. */
export function thumbnailRoute(services: {
  auth: Pick<AuthService, 'authenticate' | 'authenticateSigned'>;
  datasets: Pick<DatasetService, 'readThumbnail'>;
}) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const imageId = String(req.params.imageId);
      const q = req.query;
      const secret = bearer(req.headers.authorization);
      const who = secret
        ? await services.auth.authenticate(secret)
        : await services.auth.authenticateSigned(thumbSubject(imageId), {
            tokenId: typeof q.t === 'string' ? q.t : '',
            exp: Number(q.exp),
            sig: typeof q.sig === 'string' ? q.sig : '',
          });
      const png = await services.datasets.readThumbnail(imageId, who);
      res.set({ 'content-type': 'image/png', 'cache-control': 'private, max-age=3600' }).send(png);
    } catch (e) {
      const code = (e as { extensions?: { code?: string } }).extensions?.code;
      const status = code === 'UNAUTHENTICATED' ? 401 : code === 'FORBIDDEN' ? 403 : code === 'NOT_FOUND' ? 404 : 0;
      if (!status) return next(e);
      res.status(status).json({ errors: [{ message: (e as Error).message, extensions: { code } }] });
    }
  };
}
