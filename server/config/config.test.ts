import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config';

test('defaults are usable: positive limits, at least one runner, port 4000, no database URL', () => {
  const c = loadConfig({});
  assert.equal(c.port, 4000);
  assert.equal(c.databaseUrl, null);
  assert.ok(c.localRunners >= 1);
  for (const [name, value] of Object.entries(c.limits)) assert.ok(value > 0, `${name} = ${value}`);
  assert.ok(c.limits.uploadBytes >= 2 ** 30, 'zips of a gigabyte or more are accepted by default');
});

test('the environment wins over the config file, which wins over defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'percept-config-'));
  const file = join(dir, 'percept.json');
  writeFileSync(file, JSON.stringify({ port: 5000, localRunners: 3, limits: { imagePixels: 1234 } }));
  const c = loadConfig({ PERCEPT_CONFIG: file, PERCEPT_LOCAL_RUNNERS: '5' });
  assert.equal(c.port, 5000);
  assert.equal(c.localRunners, 5);
  assert.equal(c.limits.imagePixels, 1234);
});

test('a bad setting fails fast and names itself', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty' }),
    (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message),
  );
  assert.throws(() => loadConfig({ PERCEPT_TICK_MS: '1' }), /PERCEPT_TICK_MS: must be between 50/);
  assert.throws(
    () => loadConfig({ PERCEPT_BLOB_STORE: 's3' }),
    /PERCEPT_BLOB_STORE: must be one of postgres, filesystem/,
  );
  assert.throws(() => loadConfig({ PERCEPT_CONFIG: '/nonexistent.json' }), /PERCEPT_CONFIG/);
  assert.throws(() => loadConfig({ PERCEPT_MAX_QUERY_DEPTH: '1' }), /PERCEPT_MAX_QUERY_DEPTH: must be between 2/);
  assert.throws(() => loadConfig({ PERCEPT_CLASSIFY_PER_MINUTE: '0' }), /PERCEPT_CLASSIFY_PER_MINUTE/);
});

test('GraphQL and classify limits default to usable values and can be set', () => {
  const c = loadConfig({});
  assert.deepEqual(
    [c.limits.queryDepth, c.limits.queryCost, c.limits.aliases, c.limits.rootFields, c.limits.queryTokens],
    [12, 5000, 30, 20, 10_000],
  );
  assert.equal(c.limits.classifyPerMinute, 600);
  assert.equal(loadConfig({ PERCEPT_MAX_QUERY_COST: '250' }).limits.queryCost, 250);
});
