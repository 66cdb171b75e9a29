/** What the API panels show: the operation the UI sends, and a curl line that does the same. */
import { print, stripIgnoredCharacters, type DocumentNode } from 'graphql';
import { endpoint, wsEndpoint } from './endpoint';

export { endpoint, wsEndpoint };

export const TOKEN_VARIABLE = '$PERCEPT_TOKEN';

export function operationText(doc: DocumentNode): string {
  return print(doc);
}

export function operationName(doc: DocumentNode): string {
  const op = doc.definitions.find((d) => d.kind === 'OperationDefinition');
  return op?.name?.value ?? 'operation';
}

export interface CurlOptions {
  /** Whether the operation needs a token (all but signUp and logIn). */
  auth?: boolean;
  /** Upload variables: their path in `variables` (like "input.sampleImage") and a file name to send. */
  files?: Record<string, string>;
}

export function curlLine(doc: DocumentNode, variables: Record<string, unknown>, options: CurlOptions = {}): string {
  const { auth = true, files = {} } = options;
  const query = stripIgnoredCharacters(print(doc));
  const lines = [`curl -sS ${endpoint()}`];
  if (auth) lines.push(`-H "Authorization: Bearer ${TOKEN_VARIABLE}"`);
  const paths = Object.keys(files);
  if (paths.length === 0) {
    lines.push(`-H 'Content-Type: application/json'`);
    lines.push(`--data ${shellQuote(JSON.stringify({ query, variables }))}`);
    return lines.join(' \\\n  ');
  }
  // GraphQL multipart request: files travel as form parts and their variables are null in `operations`.
  const withNulls = structuredClone(variables);
  for (const path of paths) setPath(withNulls, path, null);
  const map = Object.fromEntries(paths.map((path, i) => [String(i), [`variables.${path}`]]));
  lines.push(`-H 'apollo-require-preflight: true'`);
  lines.push(`--form-string ${shellQuote(`operations=${JSON.stringify({ query, variables: withNulls })}`)}`);
  lines.push(`--form-string ${shellQuote(`map=${JSON.stringify(map)}`)}`);
  paths.forEach((path, i) => lines.push(`-F ${shellQuote(`${i}=@${files[path]}`)}`));
  return lines.join(' \\\n  ');
}

/** `POST /v1/models/{id}/classify`: the image file itself as the body, no GraphQL. */
export function restClassifyCurl(modelId: string, file: string, topK = 5): string {
  const url = `${location.origin}/v1/models/${modelId}/classify?topK=${topK}`;
  return [
    `curl -sS ${shellQuote(url)}`,
    `-H "Authorization: Bearer ${TOKEN_VARIABLE}"`,
    `-H 'Content-Type: application/octet-stream'`,
    `--data-binary ${shellQuote(`@${file}`)}`,
  ].join(' \\\n  ');
}

/** Subscriptions have no curl form: say how a graphql-ws client connects instead. */
export function subscriptionHint(variables: Record<string, unknown>): string {
  return [
    `graphql-ws endpoint: ${wsEndpoint()}`,
    `connectionParams: { "authorization": "Bearer ${TOKEN_VARIABLE}" }`,
    `variables: ${JSON.stringify(variables)}`,
  ].join('\n');
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
}
