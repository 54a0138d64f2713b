// End-to-end: the built page trains a real network in its worker and plots the loss.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, canvasInk, screenshotPath } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

const num = (s) => Number(String(s).replace(/[^0-9.eE+-]/g, ''));

test('trains a few hundred steps: loss goes down, chart is drawn crisp, nothing leaves the origin', { timeout: 240_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=12345');
    const play = page.getByTestId('play');
    await play.waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    assert.equal(await page.getByTestId('seed').inputValue(), '12345', 'the seed from the URL is shown');

    // One step first: the loss of an untrained 10-class network is about ln 10 ≈ 2.3.
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="r-step"]').textContent === '1');
    const first = num(await page.getByTestId('r-loss').textContent());
    assert.ok(first > 1.5 && first < 3.5, `first loss ${first} should be near ln 10`);

    await play.click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="r-step"]').textContent) >= 300,
      null, { timeout: 180_000 });
    // The page stays responsive while the worker trains: a main-thread round trip is quick.
    const t0 = Date.now();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    assert.ok(Date.now() - t0 < 1000, 'main thread answered within 1 s during training');
    await play.click(); // pause
    await page.waitForFunction(() => document.querySelector('[data-testid="play"]').textContent === 'Play');
    const pausedAt = await page.getByTestId('r-step').textContent();
    await page.waitForTimeout(500);
    assert.equal(await page.getByTestId('r-step').textContent(), pausedAt, 'pause stops training');
    assert.ok(Number(pausedAt) < 620, `paused before the end of the 10 epochs (step ${pausedAt})`);

    const last = num(await page.getByTestId('r-loss').textContent());
    assert.ok(last < 0.6 * first, `moving-average loss ${last} should be well below the first ${first}`);
    const acc = num(await page.getByTestId('r-acc').textContent());
    assert.ok(acc > 80, `test accuracy ${acc} % after 300 steps`);

    const ink = await canvasInk(page, 'loss-chart');
    assert.ok(Math.abs(ink.width - 2 * ink.cssWidth) <= 1, 'canvas backing store is CSS size × devicePixelRatio');
    assert.ok(ink.ink > 5000, `chart has ink (${ink.ink} pixels)`);
    assert.ok(ink.colours > 5, `chart has several colours (${ink.colours})`);

    await page.screenshot({ path: screenshotPath('lab-training.png'), fullPage: true });
    assert.deepEqual(log.foreignRequests, [], 'no request left the page origin');
    assert.deepEqual(log.consoleErrors, [], 'no console errors');
    assert.ok(log.requests.some((u) => u.endsWith('.wasm')), 'the wasm engine was loaded');
  } finally {
    await close();
  }
});
