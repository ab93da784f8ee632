import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

// `npm run dev` serves the app with hot reload and sends API calls to a running orgata
// (ORGATA_URL, default http://127.0.0.1:8080); `npm run build` writes dist/, which the
// orgata-web crate embeds.
const target = process.env.ORGATA_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    target: 'es2022',
    // the first route must stay small: pages are loaded when first visited
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      '/v1': { target, changeOrigin: true },
      '/graphql': { target, changeOrigin: true, ws: true },
    },
  },
});
