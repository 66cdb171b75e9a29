import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// `npx vite --config client/vite.config.mts` serves the client with hot reload against a
// Percept started with `npm start` (port 4000), including graphql-ws subscriptions.
// Two pages: the Svelte app (index.html) and GraphiQL (graphiql.html, React), each with its own bundle.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No source maps in the build the server serves (docs/security.md); `vite` in development has its own.
    sourcemap: false,
    // GraphiQL (React, CodeMirror, GraphQL language service) is one ~900 kB chunk, loaded only at /graphiql;
    // TensorFlow.js one of ~1.1 MB, loaded only when the Classify tab's "Run in this browser" is used.
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      input: {
        app: resolve(import.meta.dirname, 'index.html'),
        graphiql: resolve(import.meta.dirname, 'graphiql.html'),
      },
      // GraphiQL's React dependencies carry directives for React's tooling ("use client", "use no memo")
      // that mean nothing in a browser bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: { proxy: { '/graphql': { target: 'http://localhost:4000', ws: true } } },
});
