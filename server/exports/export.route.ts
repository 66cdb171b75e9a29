import type { NextFunction, Request, Response } from 'express';
import type { AuthService } from '../auth/auth.service';
import { bearer } from '../auth/bearer';
import type { ExportService } from './export.service';
import { exportSubject } from './export-urls';

/** `GET /files/exports/:modelId/:exportId` — the zip, with a signed URL or a Bearer token. */
export function exportRoute(services: {
  auth: Pick<AuthService, 'authenticate' | 'authenticateSigned'>;
  exports: Pick<ExportService, 'readExport'>;
}) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const modelId = String(req.params.modelId);
      const exportId = String(req.params.exportId);
      const q = req.query;
      const secret = bearer(req.headers.authorization);
      const who = secret
        ? await services.auth.authenticate(secret)
        : await services.auth.authenticateSigned(exportSubject(modelId, exportId), {
            tokenId: typeof q.t === 'string' ? q.t : '',
            exp: Number(q.exp),
            sig: typeof q.sig === 'string' ? q.sig : '',
          });
      const zip = await services.exports.readExport(modelId, exportId, who);
      res
        .set({
          'content-type': 'application/zip',
          'content-disposition': `attachment; filename="model-${modelId}.zip"`,
          'cache-control': 'private, max-age=3600',
        })
        .send(zip);
    } catch (e) {
      const code = (e as { extensions?: { code?: string } }).extensions?.code;
      const status = code === 'UNAUTHENTICATED' ? 401 : code === 'FORBIDDEN' ? 403 : code === 'NOT_FOUND' ? 404 : 0;
      if (!status) return next(e);
      res.status(status).json({ errors: [{ message: (e as Error).message, extensions: { code } }] });
    }
  };
}
