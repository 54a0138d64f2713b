// End-to-end: after one visit the lab works offline (service worker, network first).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

test('a second visit without network still loads, trains and draws', { timeout: 180_000 }, async () => {
  const { context, page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=9&data=digits');
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload(); // now controlled: this visit's fetches go through the worker and fill its cache
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'page is controlled by the service worker');

    await context.setOffline(true);
    await page.reload();
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="r-step"]').textContent === '1');
    assert.match(await page.getByTestId('data-desc').textContent(), /8×8 digits/);
    assert.deepEqual(log.consoleErrors, []);
    assert.deepEqual(log.foreignRequests, []);
  } finally {
    await context.setOffline(false);
    await close();
  }
});
