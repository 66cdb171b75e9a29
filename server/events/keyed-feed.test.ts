import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyedFeed } from './keyed-feed';
import { END, mapLive } from './live';

interface Row {
  id: string;
  owner: string;
  version: number;
}

function feedOf(rows: Map<string, Row>) {
  return new KeyedFeed<Row>(
    async (id) => rows.get(id) ?? null,
    (r) => ['all', `owner:${r.owner}`],
  );
}

describe('KeyedFeed', () => {
  test('loads a changed row once, whatever the number of subscribers, and hands it only to its keys', async () => {
    const rows = new Map([['t1', { id: 't1', owner: 'ann', version: 1 }]]);
    const feed = feedOf(rows);
    const bobs = Array.from({ length: 2000 }, () => feed.subscribe('owner:bob'));
    const ann = feed.subscribe('owner:ann');
    const admin = feed.subscribe('all');
    await feed.changed('t1');
    assert.equal(feed.loads, 1);
    assert.deepEqual((await ann.next()).value, rows.get('t1'));
    assert.deepEqual((await admin.next()).value, rows.get('t1'));
    // Bob's streams got nothing: a pending next() is still pending after the event.
    const pending = await Promise.race([bobs[0]!.next().then(() => 'delivered'), Promise.resolve('nothing')]);
    assert.equal(pending, 'nothing');
    await Promise.all([...bobs, ann, admin].map((s) => s.return!()));
    assert.equal(feed.subscribers, 0);
    await feed.changed('t1');
    assert.equal(feed.loads, 1, 'no subscriber on this server: no read');
  });

  test('return() ends a pending next() at once', async () => {
    const feed = feedOf(new Map());
    const s = feed.subscribe('all');
    const next = s.next();
    await s.return!();
    assert.deepEqual(await next, { value: undefined, done: true });
  });

  test('a subscriber behind gets the latest state of each row, not every step', async () => {
    const rows = new Map([['t1', { id: 't1', owner: 'ann', version: 1 }]]);
    const feed = feedOf(rows);
    const s = feed.subscribe('owner:ann');
    for (let v = 1; v <= 3; v++) {
      rows.set('t1', { id: 't1', owner: 'ann', version: v });
      await feed.changed('t1');
    }
    assert.equal((await s.next()).value?.version, 3);
    await s.return!();
  });

  test('initial rows come first; accept filters', async () => {
    const rows = new Map([
      ['t1', { id: 't1', owner: 'ann', version: 1 }],
      ['t2', { id: 't2', owner: 'bob', version: 1 }],
    ]);
    const feed = feedOf(rows);
    const s = feed.subscribe('all', { initial: ['t1'], accept: (r) => r.owner === 'ann' });
    assert.equal((await s.next()).value?.id, 't1');
    await feed.changed('t2');
    await feed.changed('t1');
    assert.equal((await s.next()).value?.id, 't1');
    await s.return!();
  });
});

describe('mapLive', () => {
  test('maps, skips nulls, stops at END, and return() ends a pending next()', async () => {
    const rows = new Map([['t1', { id: 't1', owner: 'ann', version: 1 }]]);
    const feed = feedOf(rows);
    const mapped = mapLive(
      feed.subscribe('all'),
      async (r) => (r.version === 2 ? null : r.version === 3 ? END : `v${r.version}`),
      async () => 'first',
    );
    assert.equal((await mapped.next()).value, 'first');
    await feed.changed('t1');
    assert.equal((await mapped.next()).value, 'v1');
    const pending = mapped.next();
    rows.set('t1', { id: 't1', owner: 'ann', version: 2 });
    await feed.changed('t1');
    rows.set('t1', { id: 't1', owner: 'ann', version: 3 });
    await feed.changed('t1');
    assert.deepEqual(await pending, { value: undefined, done: true });
    assert.equal(feed.subscribers, 0, 'END returned the source');

    const other = mapLive(feed.subscribe('all'), async (r) => r.id);
    const waiting = other.next();
    await other.return!();
    assert.deepEqual(await waiting, { value: undefined, done: true });
  });
});
