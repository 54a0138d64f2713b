// End-to-end accessibility: an axe-core audit (no serious or critical violation) at 1280 and
// 360 CSS px wide, before and after a measurement; every run control reachable with Tab in the
// order it is shown and operable with Enter / Space; no horizontal scrolling at 360 px.
// Screenshots: test-results/a11y-360.png, test-results/a11y-1920.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { serveDist, launch, screenshotPath } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

/** Runs axe on the page; returns the serious/critical violations as readable lines (and logs the rest). */
async function audit(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const line = (v) => `${label}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`;
  const minor = result.violations.filter((v) => !['serious', 'critical'].includes(v.impact));
  for (const v of minor) console.log(`[axe, not failing] ${line(v)}`);
  return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map(line);
}

async function resize(page, width, height) {
  await page.setViewportSize({ width, height });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

const scrollWidth = (page) => page.evaluate(() => document.scrollingElement.scrollWidth);
const focused = (page) => page.evaluate(() => {
  const e = document.activeElement;
  return e ? e.dataset.testid || e.id || e.tagName.toLowerCase() : null;
});

/** One tiny gradient dump, so the upload view is shown too. */
function dump() {
  const rows = ['a,b,c,d,e,f'];
  for (let i = 0; i < 40; i++) rows.push(Array.from({ length: 6 }, (_, j) => (Math.sin(i * 7 + j * 3) * (1 + (i % 5))).toFixed(5)).join(','));
  return rows.join('\n') + '\n';
}

test('axe finds no serious/critical issue at 1280 and 360 px; the run controls work from the keyboard', { timeout: 300_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin, contextOptions: { bypassCSP: true } });
  try {
    await page.goto(server.base + '#seed=5&data=digits');
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });

    // Before a measurement.
    assert.deepEqual(await audit(page, '1280 px, before measuring'), []);
    await resize(page, 360, 780);
    assert.deepEqual(await audit(page, '360 px, before measuring'), []);
    assert.ok(await scrollWidth(page) <= 360, `no horizontal scrolling at 360 px (scrollWidth ${await scrollWidth(page)})`);
    await resize(page, 1280, 860);

    // Tab order: every run control, in the order the page shows them.
    assert.equal(await page.evaluate(() => document.querySelectorAll('[tabindex]:not([tabindex="0"]):not([tabindex="-1"])').length), 0,
      'no positive tabindex');
    const settings = await page.evaluate(() => [...document.querySelectorAll('[data-testid="settings"] select')].map((s) => s.dataset.testid));
    assert.ok(settings.length >= 3, `setup selects: ${settings}`);
    const controls = ['play', 'step', 'reset', ...settings, 'seed', 'new-seed', 'tail-rule', 'tail-level', 'measure'];
    await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
    const order = [];
    const outlines = {};
    for (let k = 0; k < 120 && !controls.every((c) => order.includes(c)); k++) {
      await page.keyboard.press('Tab');
      const id = await focused(page);
      order.push(id);
      if (controls.includes(id)) {
        outlines[id] = await page.evaluate(() => {
          const s = getComputedStyle(document.activeElement);
          return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
        });
      }
    }
    for (const c of controls) assert.ok(order.includes(c), `${c} is reached with Tab (order: ${order.join(', ')})`);
    const at = controls.map((c) => order.indexOf(c));
    assert.deepEqual([...at].sort((a, b) => a - b), at, `focus order follows the page: ${order.join(', ')}`);
    for (const c of controls) assert.ok(outlines[c], `${c} shows a focus outline`);

    // Operable with Space and Enter.
    const stepNow = () => page.getByTestId('r-step').textContent();
    await page.getByTestId('play').focus();
    await page.keyboard.press('Space');
    await page.waitForFunction(() => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === 'true');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="r-step"]').textContent) > 0, null, { timeout: 60_000 });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="play"]').textContent === 'Play', null, { timeout: 30_000 });
    await page.getByTestId('reset').focus();
    await page.keyboard.press('Space');
    await page.waitForFunction(() => !document.querySelector('[data-testid="step"]').disabled && document.querySelector('[data-testid="r-step"]').textContent === '0',
      null, { timeout: 60_000 });
    await page.getByTestId('step').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="r-step"]').textContent === '1');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => document.querySelector('[data-testid="r-step"]').textContent === '2');
    assert.equal(await stepNow(), '2');
    const seed = await page.getByTestId('seed').inputValue();
    await page.getByTestId('new-seed').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((s) => document.querySelector('[data-testid="seed"]').value !== s, seed);
    await page.waitForFunction(() => !document.querySelector('[data-testid="measure"]').disabled, null, { timeout: 60_000 });
    await page.getByTestId('tail-level').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getByTestId('tail-level').inputValue(), '0.01', 'a select changes with the arrow keys');
    // (A few dozen steps: the iteration-wise test needs at least 10 logged steps.)
    await page.getByTestId('play').focus();
    await page.keyboard.press('Space');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="r-step"]').textContent) >= 30, null, { timeout: 60_000 });
    await page.keyboard.press('Space');
    await page.waitForFunction(() => document.querySelector('[data-testid="play"]').textContent === 'Play', null, { timeout: 30_000 });
    await page.getByTestId('measure').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('[data-testid="structure-body"]').hidden || document.querySelector('[data-testid="status"]').classList.contains('bad'),
      null, { timeout: 180_000 });
    assert.equal(await page.getByTestId('structure-body').isHidden(), false, await page.getByTestId('status').textContent());
    assert.match(await page.getByTestId('verdict-dim-g').textContent(), /α = 0\.01/, 'measured at the level chosen with the keyboard');
    await page.getByTestId('upload-file').setInputFiles({ name: 'g.csv', mimeType: 'text/csv', buffer: Buffer.from(dump()) });
    await page.waitForFunction(() => !document.querySelector('[data-testid="upload-body"]').hidden, null, { timeout: 60_000 });

    // After: every view shown.
    assert.deepEqual(await audit(page, '1280 px, after measuring'), []);
    await resize(page, 360, 780);
    assert.deepEqual(await audit(page, '360 px, after measuring'), []);
    assert.ok(await scrollWidth(page) <= 360, `no horizontal scrolling at 360 px after measuring (scrollWidth ${await scrollWidth(page)})`);
    await page.screenshot({ path: screenshotPath('a11y-360.png'), fullPage: true });
    await resize(page, 1920, 1080);
    assert.ok(await scrollWidth(page) <= 1920);
    await page.screenshot({ path: screenshotPath('a11y-1920.png'), fullPage: true });
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});
