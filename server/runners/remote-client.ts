import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** GraphQL over HTTP (and graphql-ws for wake-ups) with a runner token: a remote runner's only link. */
export class RunnerApi {
  readonly ws: Client;

  constructor(
    private readonly server: string,
    private readonly token: string,
  ) {
    this.ws = createClient({
      url: `${server.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: Infinity,
      shouldRetry: () => true,
    });
  }

  /** Sends one of the runner's operations (remote-operations.ts); its variables and result are typed by codegen. */
  async call<T, V>(document: TypedDocumentNode<T, V>, variables: V): Promise<T> {
    const query = print(document);
    const res = await fetch(`${this.server}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    if (body.errors?.length) {
      const e = body.errors[0]!;
      throw Object.assign(new Error(`${e.extensions?.code ?? 'ERROR'}: ${e.message}`), { code: e.extensions?.code });
    }
    return body.data as T;
  }

  async download(path: string): Promise<Buffer>;
  async download(path: string, missingOk: true): Promise<Buffer | null>;
  async download(path: string, missingOk = false): Promise<Buffer | null> {
    const res = await fetch(`${this.server}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (res.status === 404 && missingOk) return null;
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return Buffer.from(await res.arrayBuffer());
  }

  async upload(path: string, data: Buffer): Promise<void> {
    const res = await fetch(`${this.server}${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/octet-stream' },
      body: data,
    });
    if (!res.ok) throw new Error(`PUT ${path}: ${res.status} ${await res.text()}`);
  }

  /** Calls `onWake` whenever the server says tasks changed; returns a function that stops listening. */
  onWakeup(onWake: () => void): () => void {
    return this.ws.subscribe(
      { query: 'subscription { runnerWakeup }' },
      { next: onWake, error: () => {}, complete: () => {} },
    );
  }
}
