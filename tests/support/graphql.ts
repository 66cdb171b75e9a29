/** Minimal GraphQL-over-HTTP client for tests: what a third party with curl would send. */
export interface GraphQLResponse<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown }; path?: (string | number)[] }[];
}

export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphQLResponse<T>;
}

/** A GraphQL multipart request (the spec graphql-upload implements): files replace variables by path. */
export async function gqlUpload<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  files: Record<string, { data: Buffer; filename: string; type?: string }>,
  token?: string,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const form = new FormData();
  const map: Record<string, string[]> = {};
  Object.keys(files).forEach((path, i) => (map[String(i)] = [`variables.${path}`]));
  form.set('operations', JSON.stringify({ query, variables }));
  form.set('map', JSON.stringify(map));
  Object.values(files).forEach((f, i) =>
    form.set(String(i), new Blob([f.data], { type: f.type ?? 'application/octet-stream' }), f.filename),
  );
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'apollo-require-preflight': 'true', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: form,
  });
  return (await res.json()) as GraphQLResponse<T>;
}

/** The one error code of a response, failing loudly when there is none. */
export function errorCode(res: GraphQLResponse): string {
  const code = res.errors?.[0]?.extensions?.code;
  if (!code) throw new Error(`expected an error, got ${JSON.stringify(res)}`);
  return code;
}
