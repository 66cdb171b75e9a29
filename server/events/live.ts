/** What `mapLive`'s mapping returns to end the stream (say the model was deleted). */
export const END: unique symbol = Symbol('end of stream');

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * `source` mapped through `map` (null skips a value, END stops), after `first` when given: how a
 * subscription turns keyed rows into what it shows. Not an async generator on purpose: a
 * generator's `return()` waits for a pending `next()`, so a closed socket would hold its stream
 * until the next event; here `return()` ends the source, and with it a pending `next()`, at once.
 */
export function mapLive<T, U>(
  source: AsyncIterableIterator<T>,
  map: (value: T) => Promise<U | null | typeof END>,
  first?: () => Promise<U | null>,
): AsyncIterableIterator<U> {
  let start = first;
  let ended = false;
  const iterator: AsyncIterableIterator<U> = {
    async next(): Promise<IteratorResult<U>> {
      if (start) {
        const initial = await start();
        start = undefined;
        if (initial !== null && !ended) return { value: initial, done: false };
      }
      for (;;) {
        const r = await source.next();
        if (r.done || ended) return DONE;
        const v = await map(r.value);
        if (ended) return DONE;
        if (v === END) return iterator.return!();
        if (v !== null) return { value: v, done: false };
      }
    },
    async return(): Promise<IteratorResult<U>> {
      ended = true;
      await source.return?.();
      return DONE;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
