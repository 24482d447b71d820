/* global self, caches */
// The grid worker's service worker (field-collection.md), written out by console/collect-pwa.ts at build with the
// list of files that make up /collect: the page, its scripts and styles, the place table, the manifest and icons.
// It keeps exactly those, and nothing else: never an API answer (they hold people's data), never another page.
'use strict';

const VERSION = '__VERSION__';
// eslint-disable-next-line no-undef -- replaced with the list at build
const SHELL = __SHELL__;
const CACHE = `collect-shell-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('collect-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  // The page: the shell's copy whatever the query, so it opens with no network at all; a new version of the app comes
  // with a new service worker (its file is never cached by the browser), which brings the new shell.
  const key = request.mode === 'navigate' && url.pathname.startsWith('/collect') ? '/collect' : url.pathname;
  if (!SHELL.includes(key)) return;
  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(key))
      .then((hit) => hit || fetch(request)),
  );
});
