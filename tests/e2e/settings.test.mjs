// End-to-end: the setup lives in the URL (seed included) and a shared link reproduces the run's
// numbers; a diverging learning rate ends with a message naming the step and the next run works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

async function ready(page) {
  await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled
    || document.querySelector('[data-testid="status"]').classList.contains('bad'), null, { timeout: 60_000 });
}

async function stepN(page, n) {
  for (let i = 1; i <= n; i++) {
    await page.getByTestId('step').click();
    await page.waitForFunction((k) => document.querySelector('[data-testid="r-step"]').textContent === String(k), i);
  }
  return page.getByTestId('r-loss').textContent();
}

test('a shared URL reproduces the same run, bit for bit in what the page shows', { timeout: 180_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=5');
    await ready(page);
    await page.getByTestId('set-data').selectOption('digits');
    await ready(page);
    await page.getByTestId('set-bs').selectOption('32');
    await ready(page);
    const url = page.url();
    assert.match(url, /#seed=5&data=digits&bs=32$/, `the hash holds the seed and what differs from the defaults: ${url}`);
    assert.match(await page.getByTestId('data-desc').textContent(), /8×8 digits/);
    const first = await stepN(page, 15);

    const other = await launch({ origin: server.origin });
    try {
      await other.page.goto(url);
      await ready(other.page);
      assert.equal(await other.page.getByTestId('set-data').inputValue(), 'digits');
      assert.equal(await other.page.getByTestId('seed').inputValue(), '5');
      assert.equal(await stepN(other.page, 15), first, 'same URL, same loss after 15 steps');
    } finally {
      await other.close();
    }
    // Editing the address bar (a hashchange) rebuilds the run with the new setup.
    await page.evaluate(() => { location.hash = '#seed=6&data=wine&model=fcn1'; });
    await page.waitForFunction(() => /wine/.test(document.querySelector('[data-testid="data-desc"]').textContent), null, { timeout: 60_000 });
    assert.equal(await page.getByTestId('seed').inputValue(), '6');
    assert.equal(await page.getByTestId('set-model').inputValue(), 'fcn1');
    // The tour still answers one click with one step (its controls are wired once).
    await page.getByTestId('tour-next').click();
    assert.match(await page.getByTestId('tour-pos').textContent(), /^2 \//);
    assert.deepEqual(log.consoleErrors, []);
    assert.deepEqual(log.foreignRequests, []);
  } finally {
    await close();
  }
});

test('divergence stops the run with the step named; the next run works', { timeout: 180_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=3&lr=10');
    await ready(page);
    await page.getByTestId('play').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').classList.contains('bad'), null, { timeout: 60_000 });
    assert.match(await page.getByTestId('status').textContent(), /diverged at step \d+/);
    assert.equal(await page.getByTestId('play').textContent(), 'Play');

    await page.getByTestId('set-lr').selectOption('0.1');
    await ready(page);
    const loss = Number(await stepN(page, 3));
    assert.ok(Number.isFinite(loss) && loss > 0, `the next run trains (loss ${loss})`);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});
