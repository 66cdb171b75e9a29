/**
 * Turns a stream of ids into a stream of current objects: the initial ids first (a client that
 * connects mid-job starts from the current state), then one object per event. `load` returns null
 * for objects the subscriber may not see (or that are gone); those are skipped.
 */
export async function* live<T>(
  events: AsyncIterable<string>,
  load: (id: string) => Promise<T | null>,
  initial: string[] = [],
): AsyncGenerator<T> {
  for (const id of initial) {
    const item = await load(id);
    if (item) yield item;
  }
  for await (const id of events) {
    const item = await load(id);
    if (item) yield item;
  }
}
