// End-to-end: the paper tour steps through the presets and runs one in the worker; the verdict
// ("agrees" / "differs") comes with the numbers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

test('tour: previous / next through the presets, run the mechanism demo', { timeout: 180_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=2');
    await page.getByTestId('tour-pos').waitFor();
    const pos = await page.getByTestId('tour-pos').textContent();
    const [, total] = pos.match(/^1 \/ (\d+)$/);
    assert.ok(Number(total) >= 9, `at least 9 steps (${pos})`);
    assert.equal(await page.getByTestId('tour-prev').isDisabled(), true);
    assert.match(await page.getByTestId('tour-heading').textContent(), /Heavy tails/);
    let found = false;
    for (let k = 1; k < Number(total); k++) {
      await page.getByTestId('tour-next').click();
      if (/Mechanism/.test(await page.getByTestId('tour-heading').textContent())) { found = true; break; }
    }
    assert.ok(found, 'the mechanism demo is a step of the tour');
    assert.match(await page.getByTestId('tour-claim').textContent(), /1 \+ 2\/s/);
    assert.match(await page.getByTestId('tour-look').textContent(), /pooled values are power-law/);
    await page.getByTestId('tour-run').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="tour-result"]').hidden, null, { timeout: 120_000 });
    const v = await page.getByTestId('tour-verdicts').textContent();
    assert.match(v, /^(Agrees with the paper|Differs from the paper|Mixed|Not enough runs|Could not be tested)\./, v);
    assert.match(v, /theory 3\.00/, 'numbers, not a canned sentence');

    // A long step (heavy tails on the default MNIST network) can be cancelled mid-run.
    while (!/^1 \//.test(await page.getByTestId('tour-pos').textContent())) await page.getByTestId('tour-prev').click();
    await page.getByTestId('tour-run').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="tour-progress"]').value > 0, null, { timeout: 60_000 });
    await page.getByTestId('tour-cancel').click();
    await page.waitForFunction(() => /^Tour step cancelled\./.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 60_000 });
    assert.equal(await page.getByTestId('tour-run').isDisabled(), false, 'the tour can run again');
    assert.equal(await page.getByTestId('tour-cancel').isVisible(), false);
    assert.equal(await page.getByTestId('tour-stage').textContent(), 'cancelled');
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});
