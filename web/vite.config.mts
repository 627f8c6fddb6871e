/**
 * Two builds from one config: the storefront (index.html → dist/) and the offline GraphiQL
 * explorer (explorer.html → dist/ as well, served by the gateway at /graphiql in development).
 * The storefront is served at /, the explorer's assets under /graphiql/ (its `base`).
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig(({ command, mode }) => {
  const explorer = mode === 'explorer';
  // A build is the production build whatever NODE_ENV its caller runs under. Jest sets
  // NODE_ENV=test, and the stacks the tests start build the storefront: it then bundled React's
  // development build (728 kB instead of 467 kB), so the browser tests tried another build than
  // users get. Vite reads NODE_ENV after this function has run.
  if (command === 'build') process.env.NODE_ENV = 'production';
  return {
    plugins: [react()],
    base: explorer ? '/graphiql/' : '/',
    build: {
      outDir: explorer ? 'dist-explorer' : 'dist',
      emptyOutDir: true,
      chunkSizeWarningLimit: explorer ? 8000 : 600,
      rollupOptions: {
        input: explorer ? 'explorer.html' : 'index.html',
        // GraphiQL's React-compiler directives ("use no memo") are harmless when bundled.
        onwarn(warning, warn) {
          if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
        },
      },
    },
    server: { host: '127.0.0.1', port: Number(process.env.STOREFRONT_PORT ?? 5173), strictPort: true },
  };
});
