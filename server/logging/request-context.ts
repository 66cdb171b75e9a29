import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The id of the HTTP request being served, carried through its async work without threading it
 * through every call: the request log, the tasks it enqueues and its GraphQL errors all name it.
 */
const store = new AsyncLocalStorage<{ requestId: string }>();

export function currentRequestId(): string | null {
  return store.getStore()?.requestId ?? null;
}

/** Runs `fn` as part of request `requestId`; null runs it outside any request. */
export function withRequestId<T>(requestId: string | null, fn: () => T): T {
  return requestId ? store.run({ requestId }, fn) : store.exit(fn);
}
