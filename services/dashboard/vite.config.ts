import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `pnpm --filter @tributary/dashboard dev` serves the dashboard with hot reload on :5173 and
// proxies the API (and the live WebSocket) to a running backend (TRIBUTARY_URL, default :8080).
const backend = process.env.TRIBUTARY_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed names under assets/: the backend caches them as immutable.
    assetsDir: 'assets',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/api': { target: backend, ws: true, changeOrigin: true },
    },
  },
});
