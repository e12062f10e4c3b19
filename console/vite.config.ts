// Built with `npm run build:console` from the repository root; the config pins its own root so the command
// works from there. `vite --config console/vite.config.ts` serves it in development, proxying the API.
import { defineConfig, loadEnv } from 'vite';
import react from '@vitejs/plugin-react';

const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig(({ mode }) => {
  // The hub to proxy to in development and `vite preview`: SHOPTALK_HUB_URL, else the hub's default port.
  const hub = loadEnv(mode, root, 'SHOPTALK_').SHOPTALK_HUB_URL || 'http://127.0.0.1:8080';
  const proxy = { '/v1': hub, '/docs': hub };
  return {
    root,
    base: '/',
    plugins: [react()],
    build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
    server: { proxy },
    preview: { proxy },
  };
});
