import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from './logger';
import { withRequestId } from './request-context';

/** A caller's own `x-request-id` is kept when it is a plain token; anything else gets a fresh UUID. */
const CALLER_ID = /^[\w.:-]{1,64}$/;

/**
 * One JSON line per HTTP request (pino-http) with its id, which is also sent back as
 * `x-request-id` and is current for everything the request does (request-context.ts). Only the
 * path is logged: query strings carry signed-URL signatures, and headers carry tokens.
 */
export function requestLog(log: Logger) {
  const http = pinoHttp({
    logger: log.child({ component: 'http' }),
    // Logs written while serving a request (req.log, the GraphQL context's log) carry `reqId` alone.
    quietReqLogger: true,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && CALLER_ID.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/healthz' || req.url === '/metrics' },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
  return (req: Request, res: Response, next: NextFunction) => http(req, res, () => withRequestId(String(req.id), next));
}
