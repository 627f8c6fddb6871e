/**
 * Two builds from one config: the storefront (index.html → dist/) and the offline GraphiQL
 * explorer (explorer.html → dist/ as well, served by the gateway at /graphiql in development).
 * Relative asset paths (`base: './'` for the explorer is not needed: both live under one origin
 * each) — the storefront is served at /, the explorer's assets under /graphiql/.
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
      chunkSizeWarningLimit: explorer ? 5000 : 500,
      rollupOptions: { input: explorer ? 'explorer.html' : 'index.html' },
    },
    server: { host: '127.0.0.1', port: Number(process.env.STOREFRONT_PORT ?? 5173), strictPort: true },
  };
});
