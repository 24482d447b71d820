import { fileURLToPath, URL } from 'node:url';
import vue from '@vitejs/plugin-vue';
import ElementPlus from 'unplugin-element-plus/vite';
import { defineConfig } from 'vite';
import { compression } from 'vite-plugin-compression2';
import { collectPwa } from './collect-pwa';

// Built into the server's dist/ and served by the service itself at `/` (console.md): same origin as /api, so the
// dev server only proxies /api to a running service.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [
    vue(),
    // Element Plus's styles per component (console.md, "Weight on the wire"): every `import { ElX } from 'element-plus'`
    // also imports that component's CSS, so a route's chunk carries only the styles of the components it uses.
    ElementPlus({}),
    // Issue 31: /collect's service worker and place table.
    collectPwa(),
    // Every text file compressed once here, brotli (quality 11) and gzip (level 9) beside it (x.js.br, x.js.gz); the
    // service sends the one the browser accepts (@fastify/static `preCompressed`). A file that would not shrink keeps
    // no copy.
    compression({ algorithms: ['brotliCompress', 'gzip'], logLevel: 'silent' }),
  ],
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./src', import.meta.url)),
      // The server's Chinese labels, so both read one source (src/common/labels.ts has no imports).
      '@server': fileURLToPath(new URL('../src/common', import.meta.url)),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // No inline scripts or data: URLs for scripts under the CSP; assets carry content hashes for long caching.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 800,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
