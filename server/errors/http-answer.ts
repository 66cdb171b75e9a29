import { GraphQLError } from 'graphql';

/** The HTTP status of each error code, as the GraphQL endpoint would give it. */
const STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
};

export interface HttpAnswer {
  status: number;
  /** GraphQL's error shape, so plain-HTTP clients read the same codes. */
  body: { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
  retryAfterSeconds?: number;
}

/**
 * How a plain HTTP route (REST classify, /metrics) answers one of Percept's GraphQL errors: its
 * status and a GraphQL-shaped body. null for anything else (the route passes it on).
 */
export function httpAnswer(e: unknown): HttpAnswer | null {
  if (!(e instanceof GraphQLError)) return null;
  const code = e.extensions.code;
  const status = typeof code === 'string' ? STATUS[code] : undefined;
  if (!status) return null;
  const { http: _http, ...extensions } = e.extensions;
  const retry = extensions.retryAfterSeconds;
  return {
    status,
    body: { errors: [{ message: e.message, extensions }] },
    retryAfterSeconds: typeof retry === 'number' ? retry : undefined,
  };
}
