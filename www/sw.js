// Service worker: keeps the lab usable offline after ONE visit (classrooms have bad Wi-Fi).
// At install it precaches everything the build emitted — the page, the hashed JS chunks, the
// wasm, the CSS and the datasets — so the first visit is enough; the list and the cache version
// are filled in at build time from dist/ (webpack.config.js, PrecachePlugin). The version is a
// hash of the files' contents: a new deploy installs a new cache, and activation deletes every
// older `sgn-lab-` cache. Fetches stay network first for same-origin GETs (online the page is
// never stale), with the cache as the fallback offline.
const VERSION = '__PRECACHE_VERSION__';
const FILES = ['__PRECACHE_FILES__'];
const PREFIX = 'sgn-lab-';
const CACHE = PREFIX + VERSION;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // `reload`: straight from the network, never a stale HTTP-cache copy of an older deploy.
    await cache.addAll(FILES.map((f) => new Request(new URL(f, self.registration.scope), { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => event.waitUntil((async () => {
  for (const name of await caches.keys()) {
    if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
  }
  await self.clients.claim();
})()));

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const res = await fetch(req);
      if (res.ok && res.type === 'basic') await cache.put(req, res.clone());
      return res;
    } catch (err) {
      // The page's address carries its state in the hash, which never reaches here; a query
      // string is ignored so `?utm=…` links work offline too.
      const hit = await cache.match(req, { ignoreSearch: true });
      if (hit) return hit;
      throw err;
    }
  })());
});
