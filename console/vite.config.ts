import { fileURLToPath, URL } from 'node:url';
import vue from '@vitejs/plugin-vue';
import ElementPlus from 'unplugin-element-plus/vite';
import { defineConfig } from 'vite';
import { compression } from 'vite-plugin-compression2';
import { collectPwa } from './collect-pwa';

// Element Plus in three chunks by family instead of ~50 small ones (automatic splitting cut it by every different set
// of routes sharing a piece): /rates asked for 73 files, each a round trip on a slow link, where HTTP/1.1 gives a
// browser six connections. `ep`: what the login page uses, with the utilities, hooks and styles every component
// shares; `ep-lists`: table, select and their popper, tooltip and scrollbar; `ep-date`: the date pickers and dayjs.
// Other components (dialog, menu, descriptions, …) keep automatic splitting, so /verify does not load them all.
const EP_PACKAGES = [
  'element-plus',
  '@element-plus',
  '@vueuse',
  'lodash-es',
  'lodash-unified',
  '@floating-ui',
  '@ctrl',
  'async-validator',
  'dayjs',
  'memoize-one',
  'normalize-wheel-es',
  '@sxzz',
  '@popperjs',
];
const EP = new RegExp(`node_modules[\\\\/](${EP_PACKAGES.join('|')})[\\\\/]`);
const CORE = new Set(['alert', 'button', 'card', 'config-provider', 'form', 'input', 'icon', 'loading']);
const LISTS = new Set(['table', 'checkbox', 'tooltip', 'popper', 'scrollbar', 'select', 'option', 'pagination']);
for (const part of ['focus-trap', 'roving-focus-group', 'collection', 'tooltip-v2', 'virtual-list', 'select-v2']) LISTS.add(part);
const DATE = new Set(['date-picker', 'time-picker', 'time-select']);

/** The family of an Element Plus module (its component folder, or its theme-chalk stylesheet); null outside it. */
function epFamily(id: string): 'core' | 'lists' | 'date' | null {
  if (!EP.test(id)) return null;
  if (/[\\/]dayjs[\\/]/.test(id)) return 'date';
  const m = /element-plus[\\/](?:es[\\/]components[\\/]([a-z0-9-]+)|theme-chalk[\\/](?:el-)?([a-z0-9-]+)\.css)/.exec(id);
  // el-form-item.css, table-column, date-picker-panel, … belong to their component.
  const part = m ? (m[1] ?? m[2]).replace(/-(item|column|group|button|pane|panel)$/, '') : null;
  if (!part || part === 'base' || CORE.has(part)) return 'core';
  if (DATE.has(part)) return 'date';
  if (LISTS.has(part)) return 'lists';
  return null;
}

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
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'ep', test: (id: string) => epFamily(id) === 'core', priority: 30 },
            { name: 'ep-lists', test: (id: string) => epFamily(id) === 'lists', priority: 20 },
            { name: 'ep-date', test: (id: string) => epFamily(id) === 'date', priority: 15 },
          ],
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
