import { Router, type NextFunction, type Request, type Response } from 'express';
import { GraphQLError } from 'graphql';
import { Access, checkOperation } from '../auth/access';
import type { AuthService } from '../auth/auth.service';
import { bearer } from '../auth/bearer';
import type { UserPrincipal } from '../auth/principal';
import { BadUserInputError, httpAnswer, PayloadTooLargeError } from '../errors';
import type { RateLimits } from '../graphql/rate-limit';
import { formatBytes } from '../uploads/upload';
import type { ClassifyService } from './classify.service';

/**
 * `POST /v1/models/:id/classify?topK=5` with the image as the body — what ML-serving clients
 * expect (Custom Vision's prediction API takes raw bytes; TF Serving and Vertex AI have a
 * predict URL). The same rules as the `classify` mutation: Bearer token (CLASSIFY scope is
 * enough), the same rate limit and size limit, the same JSON answer and error codes.
 */
export function classifyRoutes(deps: {
  auth: Pick<AuthService, 'authenticate'>;
  classify: Pick<ClassifyService, 'classify' | 'maxImageBytes'>;
  rateLimits: RateLimits;
}): Router {
  const router = Router();
  router.post('/models/:id/classify', async (req: Request, res: Response, next: NextFunction) => {
    try {
      const secret = bearer(req.headers.authorization);
      const principal = secret ? await deps.auth.authenticate(secret) : null;
      checkOperation(principal, [Access.USER, Access.CLASSIFY]);
      deps.rateLimits.check('classify', principal);
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!type.startsWith('image/') && type !== 'application/octet-stream') {
        throw new GraphQLError('Send the image as the body, with content-type image/* or application/octet-stream.', {
          extensions: { code: 'UNSUPPORTED_MEDIA_TYPE', field: 'content-type' },
        });
      }
      const bytes = await readBody(req, deps.classify.maxImageBytes);
      const topK = req.query.topK === undefined ? 5 : Number(req.query.topK);
      const result = await deps.classify.classify(
        principal as UserPrincipal,
        String(req.params.id),
        { bytes },
        topK,
        false,
      );
      res.json(result);
    } catch (e) {
      const answer = httpAnswer(e);
      if (!answer) return next(e);
      if (answer.retryAfterSeconds !== undefined) res.set('retry-after', String(answer.retryAfterSeconds));
      // A refused body is not read: close the connection rather than drain it.
      if (!req.complete) res.set('connection', 'close');
      res.status(answer.status).json(answer.body);
    }
  });
  return router;
}

/** The whole body in memory (images are small), refused as soon as it passes `maxBytes`. */
async function readBody(req: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  const tooLarge = () =>
    new PayloadTooLargeError(`The image is larger than ${formatBytes(maxBytes)}.`, { limitBytes: maxBytes });
  if (declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  if (size === 0) throw new BadUserInputError('The body is empty: send the image bytes.', { field: 'body' });
  return Buffer.concat(chunks);
}
