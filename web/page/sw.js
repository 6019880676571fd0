// The page's service worker: keeps every file of this build in a cache so the page opens and
// compiles offline. The build fills in VERSION (a hash of the files) and FILES; a new build has
// a new VERSION, so the browser installs the new worker and the old cache is dropped.
const VERSION = '__VERSION__';
const FILES = __FILES__;
const CACHE = `bundlec-preview-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith('bundlec-preview-') && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

// Cache first: this build's files never change under their names; anything else goes to the network.
self.addEventListener('fetch', (event) => {
  if (event.request.method !== 'GET' || new URL(event.request.url).origin !== location.origin) return;
  event.respondWith(
    caches.open(CACHE)
      .then((cache) => cache.match(event.request, { ignoreSearch: true }))
      .then((hit) => hit ?? fetch(event.request)),
  );
});
