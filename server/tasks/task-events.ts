import type { PerceptPubSub } from '../events/pubsub';

/**
 * Resolves when one of the tasks `ids` changes, after `ms`, or when `signal` aborts: how a
 * coordinator waits for its child tasks without polling them (the timeout only bounds a missed event).
 */
export async function waitForTaskChange(
  pubsub: PerceptPubSub,
  ids: ReadonlySet<string>,
  ms: number,
  signal: AbortSignal,
): Promise<void> {
  const events = pubsub.subscribe('TASK_CHANGED')[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const timeout = new Promise<void>((r) => (timer = setTimeout(r, ms)));
  const aborted = new Promise<void>((r) => {
    onAbort = r;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const changed = (async () => {
    for (let e = await events.next(); !e.done; e = await events.next()) if (ids.has(e.value)) return;
  })();
  try {
    await Promise.race([timeout, aborted, changed]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort!);
    await events.return?.();
  }
}
