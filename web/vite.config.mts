/**
 * Two builds from one config: the storefront (index.html → dist/) and the offline GraphiQL
 * explorer (explorer.html → dist/ as well, served by the gateway at /graphiql in development).
 * The storefront is served at /, the explorer's assets under /graphiql/ (its `base`).
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig(({ mode }) => {
  const explorer = mode === 'explorer';
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
