#!/usr/bin/env node
// Writes the hostile input corpus (tests/support/hostile-corpus.ts) to tests/fixtures/hostile/.
// Run after `npx tsc -p tsconfig.json`: `node scripts/make-hostile-corpus.mjs`. tests/hostile.test.ts
// builds the same inputs in memory, so the files are for people and other tools (fuzzers, curl).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const { corpusFiles } = require(join(root, 'dist', 'tests', 'support', 'hostile-corpus.js'));

const dir = join(root, 'tests', 'fixtures', 'hostile');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
let total = 0;
for (const [name, data] of Object.entries(await corpusFiles())) {
  writeFileSync(join(dir, name), data);
  total += data.length;
}
console.log(`wrote ${dir} (${total} bytes)`);
