/** What a subscriber listens to; a row reaches it when one of the row's keys equals its key. */
export type FeedKey = string;

/**
 * An async iterator that a producer pushes into. Values with the same id are coalesced while the
 * consumer is behind (it gets the latest state, not every intermediate one), and `return()` ends
 * it at once even while a `next()` is pending — a socket that closes does not wait for an event.
 */
class Sink<T> implements AsyncIterableIterator<T> {
  private readonly pending = new Map<string, T>();
  private waiting: ((r: IteratorResult<T>) => void) | null = null;
  private done = false;
  readonly awaitingInitial = new Set<string>();

  constructor(
    private readonly accept: (value: T) => boolean,
    private readonly onEnd: () => void,
  ) {}

  /** The state at subscription, unless an event about the same id came first (it is newer). */
  pushInitial(id: string, value: T): void {
    if (this.awaitingInitial.delete(id)) this.push(id, value);
  }

  push(id: string, value: T): void {
    this.awaitingInitial.delete(id);
    if (this.done || !this.accept(value)) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
      return;
    }
    this.pending.delete(id);
    this.pending.set(id, value);
  }

  next(): Promise<IteratorResult<T>> {
    const first = this.pending.entries().next();
    if (!first.done) {
      this.pending.delete(first.value[0]);
      return Promise.resolve({ value: first.value[1], done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      this.pending.clear();
      this.onEnd();
      this.waiting?.({ value: undefined, done: true });
      this.waiting = null;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Fans changed rows out to subscribers by key (an owner, a model, a task, or everything for
 * admins): the row is loaded once per event, whatever the number of subscribers, and a subscriber
 * never reads the database to decide whether the row is for it. `loads` counts those reads.
 */
export class KeyedFeed<T> {
  private readonly sinks = new Map<FeedKey, Set<Sink<T>>>();
  loads = 0;

  constructor(
    private readonly load: (id: string) => Promise<T | null>,
    private readonly keysOf: (row: T) => FeedKey[],
  ) {}

  /**
   * The rows whose keys include `key` and that `accept` lets through, from now on, until the
   * iterator is returned; first the rows of `initial` (a client that connects mid-job starts from
   * the current state).
   */
  subscribe(key: FeedKey, opts: { accept?: (row: T) => boolean; initial?: string[] } = {}): AsyncIterableIterator<T> {
    const set = this.sinks.get(key) ?? new Set<Sink<T>>();
    this.sinks.set(key, set);
    const sink: Sink<T> = new Sink<T>(opts.accept ?? (() => true), () => {
      set.delete(sink);
      if (set.size === 0 && this.sinks.get(key) === set) this.sinks.delete(key);
    });
    set.add(sink);
    for (const id of opts.initial ?? []) {
      sink.awaitingInitial.add(id);
      // A failed load leaves the subscriber waiting for the next change, as a missed event would.
      void this.load(id).then(
        (row) => row && sink.pushInitial(id, row),
        () => {},
      );
    }
    return sink;
  }

  get subscribers(): number {
    let n = 0;
    for (const set of this.sinks.values()) n += set.size;
    return n;
  }

  /** One event: loads the row (unless nobody listens on this server) and hands it to its keys' subscribers. */
  async changed(id: string): Promise<void> {
    if (this.sinks.size === 0) return;
    this.loads++;
    const row = await this.load(id);
    if (!row) return;
    for (const key of this.keysOf(row)) for (const sink of this.sinks.get(key) ?? []) sink.push(id, row);
  }

  /** Feeds every id of `events` in (run once per server, for the life of the process). */
  async run(events: AsyncIterable<string>, onError: (e: unknown) => void): Promise<void> {
    for await (const id of events) await this.changed(id).catch(onError);
  }
}
