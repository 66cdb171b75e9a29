import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/svelte';
import { createClient as createWsClient } from 'graphql-ws';
import { GRAPHQL_PATH, wsEndpoint } from './endpoint';

export interface ApiClient {
  client: Client;
  dispose(): void;
}

/**
 * One urql client per session: a new sign-in starts with an empty cache and a new socket, so nothing
 * of the previous user's data can show. Queries and mutations go over HTTP, subscriptions over graphql-ws.
 */
export function createApiClient(token: string | null, onUnauthenticated: () => void): ApiClient {
  const authorization = token ? `Bearer ${token}` : null;
  const ws = createWsClient({
    url: wsEndpoint(),
    connectionParams: () => (authorization ? { authorization } : {}),
  });
  const client = new Client({
    url: GRAPHQL_PATH,
    preferGetMethod: false,
    // Others change data too (another tab, the API, admins): show the cached answer, then the fresh one.
    requestPolicy: 'cache-and-network',
    fetchOptions: () => ({
      // Apollo's CSRF guard refuses multipart requests (uploads) without this header.
      headers: { 'apollo-require-preflight': 'true', ...(authorization ? { authorization } : {}) },
    }),
    exchanges: [
      mapExchange({
        onError(error) {
          // A rejected log-in is also UNAUTHENTICATED; only an existing session can expire.
          const expired = error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
          if (expired && token) onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose() };
}
