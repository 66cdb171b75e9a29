import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// `npx vite --config client/vite.config.mts` serves the client with hot reload against a
// Percept started with `npm start` (port 4000), including graphql-ws subscriptions.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: { proxy: { '/graphql': { target: 'http://localhost:4000', ws: true } } },
});
