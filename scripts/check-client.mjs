#!/usr/bin/env node
// Part of `npm run check`: svelte-check over client/, failing on any error or warning.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = createRequire(import.meta.url).resolve('svelte-check/bin/svelte-check');
const r = spawnSync(
  process.execPath,
  [
    bin,
    '--workspace',
    resolve(root, 'client'),
    '--tsconfig',
    './tsconfig.json',
    '--fail-on-warnings',
    '--output',
    'human',
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(r.status ?? 1);
