import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import processRequest from 'graphql-upload/processRequest.mjs';
import { useServer } from 'graphql-ws/use/ws';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { WebSocketServer } from 'ws';
import type { Config } from '../config/config';
import { bearer } from '../auth/bearer';
import type { Context } from '../graphql/context';
import { thumbnailRoute } from '../datasets/thumbnail.route';
import { THUMBS_PATH } from '../datasets/thumbnails';
import { formatError, formatSocketErrors } from '../graphql/format-error';
import {
  costLimitPlugin,
  introspects,
  operationOf,
  prepareOperation,
  queryLimitRules,
  queryLimitsOf,
} from '../graphql/limits';
import { checkIntrospection } from '../auth/access';
import { RateLimits } from '../graphql/rate-limit';
import type { Logger } from '../logging/logger';
import { runnerRoutes } from '../runners/runner-http';
import { noSourceMaps, securityHeaders } from './security-headers';
import type { Services } from './services';

export interface Api {
  server: Server;
  url: string;
  close(): Promise<void>;
}

const CLIENT_DIST = join(__dirname, '..', '..', '..', 'client', 'dist');

/** Express 5 with Apollo at /graphql (HTTP, multipart uploads) and graphql-ws on the same path. */
export async function startApi(opts: {
  config: Config;
  schema: GraphQLSchema;
  services: Services;
  db: DataSource;
  log: Logger;
}): Promise<Api> {
  const { config, schema, services, db, log } = opts;
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);
  const httpServer = createServer(app);

  const rateLimits = new RateLimits(config.limits);
  const contextFor = async (authorization: unknown, peer?: IncomingMessage): Promise<Context> => {
    const secret = bearer(authorization);
    const principal = secret ? await services.auth.authenticate(secret) : null;
    const client = peer?.socket.remoteAddress ?? 'unknown';
    const forwarded = ['forwarded', 'x-forwarded-for', 'x-real-ip'].some((h) => peer?.headers[h] !== undefined);
    const local = !forwarded && /^(127\.|::1$|::ffff:127\.)/.test(client);
    return { principal, client, local, services, log, rateLimit: (bucket) => rateLimits.check(bucket, principal) };
  };
  // The same depth, alias, root-field, token and cost limits over HTTP and WebSocket.
  const queryLimits = queryLimitsOf(config.limits);
  const format = formatError(log);

  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: config.limits.requestBodyBytes,
  });
  const wsCleanup = useServer(
    {
      schema,
      context: (ctx) => contextFor(ctx.connectionParams?.authorization, ctx.extra.request),
      onSubscribe: async (ctx, _id, payload) => {
        const prepared = prepareOperation(schema, payload, queryLimits);
        if (Array.isArray(prepared)) return prepared;
        const operation = operationOf(prepared.document, prepared.operationName);
        if (operation && introspects(schema, prepared.document, operation)) {
          const { principal } = await contextFor(ctx.connectionParams?.authorization);
          try {
            checkIntrospection(principal);
          } catch (e) {
            return [e as GraphQLError];
          }
        }
        return prepared;
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: formatSocketErrors(format, result.errors) } : undefined,
      onError: (_ctx, _id, _payload, errors) => formatSocketErrors(format, errors),
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    formatError: format,
    introspection: true,
    parseOptions: { maxTokens: queryLimits.tokens },
    validationRules: queryLimitRules(queryLimits),
    // Percept owns shutdown order (API, then connections, then PostgreSQL); see main.ts.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // The default landing page loads Apollo Sandbox from a CDN; Percept bundles its own GraphiQL.
      ApolloServerPluginLandingPageDisabled(),
      { serverWillStart: async () => ({ drainServer: async () => wsCleanup.dispose() }) },
      costLimitPlugin(queryLimits.cost),
      {
        requestDidStart: async () => ({
          didResolveOperation: async ({ operation, document, contextValue }) => {
            if (operation && introspects(schema, document, operation)) checkIntrospection(contextValue.principal);
            if (operation?.operation === 'subscription') {
              throw new GraphQLError('Subscriptions run over WebSocket (graphql-ws) on /graphql, not HTTP POST.', {
                extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
              });
            }
          },
        }),
      },
    ],
  });
  await apollo.start();

  app.get('/healthz', async (_req, res) => {
    try {
      await db.query('SELECT 1');
      res.json({ status: 'ok', database: 'ok' });
    } catch (e) {
      log.warn({ err: e }, 'health check: database unreachable');
      // The reason is in the log; a probe needs no more, and an outsider should learn nothing of the database.
      res.status(503).json({ status: 'error', database: 'unavailable' });
    }
  });

  app.use('/runner', runnerRoutes(services, config.limits.uploadBytes));

  app.use(
    '/graphql',
    express.json({ limit: config.limits.requestBodyBytes }),
    async (req: Request, res: Response, next: NextFunction) => {
      if (!req.is('multipart/form-data')) return next();
      try {
        // Streams each file to a temporary file as it arrives; refused past the size limit.
        req.body = await processRequest(req, res, {
          maxFileSize: config.limits.uploadBytes,
          maxFiles: config.limits.uploadFiles,
          maxFieldSize: config.limits.requestBodyBytes,
        });
        next();
      } catch (e) {
        const status = (e as { status?: number }).status ?? 400;
        res.status(status).json({
          errors: [
            {
              message: (e as Error).message,
              extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' },
            },
          ],
        });
      }
    },
    expressMiddleware(apollo, {
      context: async ({ req }) => contextFor(req.headers.authorization, req),
    }),
  );

  app.get(`${THUMBS_PATH}/:imageId`, thumbnailRoute(services));

  if (existsSync(CLIENT_DIST)) {
    app.use(noSourceMaps, express.static(CLIENT_DIST, { index: 'index.html' }));
    // GraphiQL is the client build's second page (React), not a route of the Svelte app.
    app.get('/graphiql', (_req, res) => res.sendFile(join(CLIENT_DIST, 'graphiql.html')));
    app.get(/^\/(?!graphql|healthz|files\/).*/, (_req, res) => res.sendFile(join(CLIENT_DIST, 'index.html')));
  }

  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status ?? 500;
    if (status >= 500) log.error({ err }, 'request failed');
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
    res
      .status(status)
      .json({ errors: [{ message: status >= 500 ? 'Internal server error' : err.message, extensions: { code } }] });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return {
    server: httpServer,
    url: `http://${host}:${port}`,
    close: async () => {
      await apollo.stop();
    },
  };
}
