#!/usr/bin/env node
// `npm run build:client`: bundles client/ with Vite into client/dist, which the server serves.
import { resolve } from 'node:path';
import { build } from 'vite';

const root = resolve(import.meta.dirname, '..');
try {
  await build({ configFile: resolve(root, 'client/vite.config.mts'), logLevel: process.env.CI ? 'warn' : 'info' });
} catch (e) {
  console.error(`client build failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
