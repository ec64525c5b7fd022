// Offline cache for the calculator. scripts/build stamps VERSION (a hash of
// every served file) and FILES, so each deploy is one cache: the page, the
// module and the catalog always come from the same build.
const VERSION = '__VERSION__';
const CACHE = `runwell-${VERSION}`;
const FILES = ['./', __FILES__];

self.addEventListener('install', (event) => {
  // 'reload' bypasses the HTTP cache so a new version never precaches old files.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES.map((f) => new Request(f, { cache: 'reload' })))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith('runwell-') && key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

// The page asks for the waiting version to take over once the user agrees.
self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
  if (event.data === 'version') event.source?.postMessage({ version: VERSION });
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // Query strings carry the calculator state; the file is the same.
    const hit = await cache.match(event.request, { ignoreSearch: true });
    return hit ?? fetch(event.request);
  })());
});
