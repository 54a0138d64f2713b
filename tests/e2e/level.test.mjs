// End-to-end: the page decides no statistics of its own. With the Level menu at 0.01, every
// verdict and Gaussianity sentence of a measurement (worded by the engine,
// src/experiment/view/measurement.rs) says 0.01 and never the default 0.05; and the level is part
// of the link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

test('Level 0.01 reaches every verdict and Gaussianity sentence', { timeout: 240_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=11&data=digits&bs=32');
    await page.waitForFunction(() => !document.querySelector('[data-testid="measure"]').disabled, null, { timeout: 60_000 });
    await page.getByTestId('tail-level').selectOption('0.01');
    assert.match(page.url(), /#v1\.[A-Za-z0-9_-]+/, 'the level is part of the link');
    for (let i = 0; i < 30; i++) await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="r-step"]').textContent === '30', null, { timeout: 60_000 });
    await page.getByTestId('measure').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="structure-body"]').hidden, null, { timeout: 180_000 });
    const texts = await page.evaluate(() => [...document.querySelectorAll('[data-testid^="verdict-"], [data-testid^="normality-"]')]
      .map((e) => [e.dataset.testid, e.textContent]));
    assert.equal(texts.length, 8, 'four power-law and four Gaussianity boxes');
    for (const [id, text] of texts) {
      if (/not measured|need at least/.test(text)) continue; // a sample the run could not test says why instead
      assert.match(text, /\b0\.01\b/, `${id} states the level 0.01`);
      assert.doesNotMatch(text, /\b0\.05\b/, `${id} never says 0.05 (a number such as 0.056 is not the level)`);
    }
    assert.match(await page.getByTestId('table-a').evaluate(() => document.getElementById('table-a-rule').textContent), /level 0\.01/);
    // The downloaded report (the CLI's schema) measured at that level.
    const report = await page.evaluate(() => new Promise((resolve) => {
      const orig = URL.createObjectURL;
      URL.createObjectURL = (blob) => { blob.text().then(resolve); URL.createObjectURL = orig; return orig.call(URL, blob); };
      document.querySelector('[data-testid="report-json"]').click();
    }));
    const r = JSON.parse(report);
    assert.equal(r.config.analysis.level, 0.01);
    assert.equal(r.arms[0].measurements[0].structure.dimension_g.power_law.level, 0.01);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});
