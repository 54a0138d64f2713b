// End-to-end: after ONE visit the lab works offline. The service worker precaches the page,
// the JS chunks, the wasm and the datasets at install (www/sw.js; the list comes from the build),
// so no second online visit is needed. A new build gets a new cache and the old one is deleted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launch, canvasInk, DIST } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

const ready = (page) => page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });

test('one online visit, then offline: the page loads, trains and draws', { timeout: 180_000 }, async () => {
  const { context, page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=9&data=digits');
    await ready(page);
    // Wait until the service worker has installed (precached) and activated; no second visit.
    await page.evaluate(() => navigator.serviceWorker.ready.then((reg) => new Promise((resolve) => {
      const sw = reg.active;
      if (sw.state === 'activated') resolve(); else sw.addEventListener('statechange', () => { if (sw.state === 'activated') resolve(); });
    })));
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const keys = names.length ? await (await caches.open(names[0])).keys() : [];
      return { names, urls: keys.map((r) => new URL(r.url).pathname) };
    });
    assert.equal(cached.names.length, 1, `one cache: ${cached.names}`);
    assert.match(cached.names[0], /^sgn-lab-[0-9a-f]{16}$/);
    for (const f of fs.readdirSync(DIST).filter((x) => /\.(js|wasm|html|css)$/.test(x) && x !== 'sw.js')) {
      assert.ok(cached.urls.includes(`/some/sub-path/${f}`), `${f} precached`);
    }
    assert.ok(cached.urls.includes('/some/sub-path/assets/mnist-10k.bin.gz'), 'default dataset precached');

    await context.setOffline(true);
    await page.reload();
    await ready(page);
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'page is controlled by the service worker');
    assert.match(await page.getByTestId('data-desc').textContent(), /8×8 digits/);
    for (let i = 1; i <= 3; i++) {
      await page.getByTestId('step').click();
      await page.waitForFunction((k) => document.querySelector('[data-testid="r-step"]').textContent === String(k), i);
    }
    await page.waitForTimeout(300);
    const ink = await canvasInk(page, 'loss-chart');
    assert.ok(ink.ink > 500 && ink.colours > 2, `the training chart draws offline: ${JSON.stringify(ink)}`);
    // The default (MNIST) configuration works offline too: its dataset was precached.
    await page.evaluate(() => { location.hash = '#seed=9'; });
    await page.waitForFunction(() => /MNIST/.test(document.querySelector('[data-testid="data-desc"]').textContent), null, { timeout: 60_000 });
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await context.setOffline(false);
    await close();
  }
});

test('a new deploy replaces the cache: activation deletes the old one', { timeout: 120_000 }, async () => {
  const { page, close } = await launch({ origin: server.origin });
  const sw = path.join(DIST, 'sw.js');
  const original = fs.readFileSync(sw, 'utf8');
  try {
    await page.goto(server.base + '#seed=9&data=digits');
    await ready(page);
    await page.evaluate(() => navigator.serviceWorker.ready);
    const first = await page.evaluate(() => caches.keys());
    // A "deploy": the same files under another content version.
    fs.writeFileSync(sw, original.replace(/VERSION ?= ?"[0-9a-f]{16}"/, 'VERSION="00000000deadbeef"'));
    assert.notEqual(fs.readFileSync(sw, 'utf8'), original, 'the version was found in dist/sw.js');
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
    await page.waitForFunction(async () => {
      const k = await caches.keys();
      return k.length === 1 && k[0] === 'sgn-lab-00000000deadbeef';
    }, null, { timeout: 60_000, polling: 200 });
    assert.equal(first.length, 1);
    assert.notEqual(first[0], 'sgn-lab-00000000deadbeef');
  } finally {
    fs.writeFileSync(sw, original);
    await close();
  }
});
