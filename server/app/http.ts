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
import { exportRoute } from '../exports/export.route';
import { EXPORTS_PATH } from '../exports/export-urls';
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
import { requestLog } from '../logging/request-log';
import { metricsRoute, startMetricsListener } from './metrics.route';
import { classifyTimingPlugin } from '../graphql/classify-timing';
import { runnerRoutes } from '../runners/runner-http';
import { noSourceMaps, securityHeaders } from './security-headers';
import type { Services } from './services';
import { classifyRoutes } from '../classification/classify.route';
import type { PerceptPubSub } from '../events/pubsub';
import { LiveSockets } from './live-sockets';
import { isSmallMultipart, parseSmallMultipart } from '../uploads/small-multipart';

export interface Api {
  server: Server;
  url: string;
  /** Where /metrics is served: on `url` (admins only) or a listener of its own. */
  metricsUrl: string;
  close(): Promise<void>;
}

const CLIENT_DIST = join(__dirname, '..', '..', '..', 'client', 'dist');

/** Express 5 with Apollo at /graphql (HTTP, multipart uploads) and graphql-ws on the same path. */
export async function startApi(opts: {
  config: Config;
  schema: GraphQLSchema;
  services: Services;
  db: DataSource;
  pubsub: PerceptPubSub;
  log: Logger;
}): Promise<Api> {
  const { config, schema, services, db, pubsub, log } = opts;
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.use(requestLog(log));
  const httpServer = createServer(app);

  const rateLimits = new RateLimits(config.limits);
  const contextFor = async (
    authorization: unknown,
    peer?: IncomingMessage,
    requestLog: Logger = log,
  ): Promise<Context> => {
    const secret = bearer(authorization);
    const principal = secret ? await services.auth.authenticate(secret) : null;
    const client = peer?.socket.remoteAddress ?? 'unknown';
    const forwarded = ['forwarded', 'x-forwarded-for', 'x-real-ip'].some((h) => peer?.headers[h] !== undefined);
    const local = !forwarded && /^(127\.|::1$|::ffff:127\.)/.test(client);
    return {
      principal,
      client,
      local,
      services,
      log: requestLog,
      rateLimit: (bucket) => rateLimits.check(bucket, principal),
    };
  };
  // The same depth, alias, root-field, token and cost limits over HTTP and WebSocket.
  const queryLimits = queryLimitsOf(config.limits);
  const format = formatError(log);

  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: config.limits.requestBodyBytes,
  });
  const sockets = new LiveSockets(config.limits);
  const closing = closeOnIdentityChange(pubsub, sockets);
  const wsCleanup = useServer(
    {
      schema,
      onConnect: async (ctx) => {
        const secret = bearer(ctx.connectionParams?.authorization);
        sockets.connected(ctx, ctx.extra.socket, secret ? await services.auth.authenticateSession(secret) : null);
        return true;
      },
      onClose: (ctx) => sockets.disconnected(ctx),
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
        const refused = sockets.admit(ctx);
        return refused ? [refused] : prepared;
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
      classifyTimingPlugin,
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

  const metrics = config.metricsListen ? await startMetricsListener(config.metricsListen, db) : null;
  if (!metrics)
    app.get(
      '/metrics',
      metricsRoute(db, (secret) => services.auth.authenticate(secret)),
    );

  app.use('/runner', runnerRoutes(services, config.limits.uploadBytes));
  app.use('/v1', classifyRoutes({ auth: services.auth, classify: services.classify, rateLimits }));

  app.use(
    '/graphql',
    express.json({ limit: config.limits.requestBodyBytes }),
    async (req: Request, res: Response, next: NextFunction) => {
      if (!req.is('multipart/form-data')) return next();
      try {
        const limits = {
          maxFileSize: config.limits.uploadBytes,
          maxFiles: config.limits.uploadFiles,
          maxFieldSize: config.limits.requestBodyBytes,
        };
        // Small requests from memory; others stream each file to a temporary file as it arrives.
        req.body = isSmallMultipart(req)
          ? await parseSmallMultipart(req, limits)
          : await processRequest(req, res, limits);
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
      context: async ({ req }) => contextFor(req.headers.authorization, req, req.log),
    }),
  );

  app.get(`${THUMBS_PATH}/:imageId`, thumbnailRoute(services));
  app.get(`${EXPORTS_PATH}/:modelId/:exportId`, exportRoute(services));

  if (existsSync(CLIENT_DIST)) {
    app.use(noSourceMaps, express.static(CLIENT_DIST, { index: 'index.html' }));
    // GraphiQL is the client build's second page (React), not a route of the Svelte app.
    app.get('/graphiql', (_req, res) => res.sendFile(join(CLIENT_DIST, 'graphiql.html')));
    app.get(/^\/(?!graphql|healthz|metrics|files\/|v1\/).*/, (_req, res) =>
      res.sendFile(join(CLIENT_DIST, 'index.html')),
    );
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
    metricsUrl: metrics?.url ?? `http://${host}:${port}/metrics`,
    close: async () => {
      await apollo.stop();
      await closing.stop();
      if (metrics) await new Promise((resolve) => metrics.server.close(resolve));
    },
  };
}

/** Every server closes the sockets an identity change affects, wherever the change was made. */
function closeOnIdentityChange(pubsub: PerceptPubSub, sockets: LiveSockets): { stop(): Promise<void> } {
  const changes = pubsub.subscribe('IDENTITY_CHANGED');
  const done = (async () => {
    for await (const change of changes) sockets.identityChanged(change);
  })();
  return {
    stop: async () => {
      await changes.return();
      await done;
    },
  };
}
