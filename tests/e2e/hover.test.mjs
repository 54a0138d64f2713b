// End-to-end: hovering a chart shows the data value under the pointer (from the hover index the
// wasm draw functions return), with the keyboard too; the chart itself is not redrawn.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { serveDist, launch, screenshotPath } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

/** The tooltip of chart `id`: its visible text lines and where it and its chart box are. */
async function tip(page, id) {
  return page.evaluate((testid) => {
    const t = document.querySelector(`[data-testid="hover-${testid}"]`);
    if (!t || t.hidden) return null;
    const box = t.parentElement;
    const dot = box.querySelector('.hover-dot');
    const r = t.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    const d = dot.getBoundingClientRect();
    return {
      name: t.querySelector('.name').textContent,
      rows: [...t.querySelectorAll('.k')].map((k) => [k.textContent, k.nextElementSibling.textContent]),
      tip: { left: r.left, top: r.top, right: r.right, bottom: r.bottom },
      box: { left: b.left, top: b.top, right: b.right, bottom: b.bottom },
      dot: { x: d.left + d.width / 2, y: d.top + d.height / 2 },
      crosshair: [...box.querySelectorAll('.hover-line')].every((l) => !l.hidden),
    };
  }, id);
}

/** A hash of the canvas pixels (to prove hovering never draws onto the chart). */
const pixels = (page, id) => page.evaluate((testid) => {
  const c = document.querySelector(`[data-testid="${testid}"]`);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 0;
  for (let i = 0; i < d.length; i += 4) h = (h * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) >>> 0;
  return h;
}, id);

function inside(t) {
  return t.tip.left >= t.box.left - 0.5 && t.tip.right <= t.box.right + 0.5 && t.tip.top >= t.box.top - 0.5 && t.tip.bottom <= t.box.bottom + 0.5;
}

const figureOf = (page, id) => page.getByTestId(id).locator('xpath=ancestor::figure[1]');

/** Significant digits of a shown number ("0.004321" → 4, "1.300e-5" → 4, "120" → 3). */
function digits(text) {
  const m = text.replace(/^-/, '').split('e')[0].replace('.', '').replace(/^0+/, '');
  return m.length;
}

const near = (shown, value) => Math.abs(Number(shown) - value) <= 5e-4 * Math.abs(value) + 1e-300;

async function download(page, testid) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  return fs.readFile(await d.path(), 'utf8');
}

test('hover and keyboard show the values of the training curve, a CCDF and the rank plot', { timeout: 300_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=21');
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    await page.getByTestId('play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="r-step"]').textContent) >= 100, null, { timeout: 120_000 });
    await page.getByTestId('play').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="play"]').textContent === 'Play');
    await page.waitForTimeout(300); // the last progress message has been drawn

    // The run's numbers, from the chart's own CSV export.
    const csv = (await download(page, 'csv-loss-chart')).trim().split('\n');
    assert.equal(csv[0], 'step,minibatch_loss,eval_step,test_accuracy');
    const loss = new Map(csv.slice(1).map((l) => l.split(',')).filter((r) => r[0] !== '').map((r) => [Number(r[0]), Number(r[1])]));

    // Keyboard: the chart takes focus; the arrow keys step through the first series.
    const chart = page.getByTestId('loss-chart');
    assert.equal(await chart.getAttribute('tabindex'), '0');
    const before = await pixels(page, 'loss-chart');
    await chart.focus();
    for (let k = 0; k < 5; k++) await page.keyboard.press('ArrowRight');
    let t = await tip(page, 'loss-chart');
    assert.ok(t, 'the keyboard shows the tooltip');
    assert.equal(t.name, 'minibatch loss');
    assert.deepEqual(t.rows.map((r) => r[0]), ['step', 'loss']);
    const step = Number(t.rows[0][1]);
    assert.ok(Number.isInteger(step) && loss.has(step), `step ${t.rows[0][1]}`);
    assert.ok(near(t.rows[1][1], loss.get(step)), `loss at step ${step}: shown ${t.rows[1][1]}, run ${loss.get(step)}`);
    assert.ok(digits(t.rows[1][1]) <= 4 && near(t.rows[1][1], loss.get(step)), 'four significant digits');
    assert.ok(t.crosshair, 'crosshair shown');
    await page.keyboard.press('ArrowDown');
    assert.equal((await tip(page, 'loss-chart')).name, 'loss (moving average)', 'up/down change series');
    await page.keyboard.press('End');
    t = await tip(page, 'loss-chart');
    assert.ok(inside(t), `tooltip at the right edge stays inside the chart: ${JSON.stringify(t)}`);
    await figureOf(page, 'loss-chart').screenshot({ path: screenshotPath('hover-training.png') });
    await page.keyboard.press('Escape');
    assert.equal(await tip(page, 'loss-chart'), null, 'Escape hides');

    // Mouse: over a point of the curve, the tooltip shows that point's values.
    await page.keyboard.press('Home');
    const first = await tip(page, 'loss-chart');
    await page.keyboard.press('Escape');
    await page.mouse.move(first.dot.x + 2, first.dot.y + 1);
    t = await tip(page, 'loss-chart');
    assert.ok(t, 'hovering shows the tooltip');
    assert.deepEqual([t.name, t.rows], [first.name, first.rows]);
    assert.ok(near(t.rows[1][1], loss.get(Number(t.rows[0][1]))));
    // More points along the curve (keyboard to find where they are, then the mouse on them).
    for (let k = 0; k < 4; k++) {
      await chart.focus();
      await page.keyboard.press('PageDown');
      const want = await tip(page, 'loss-chart');
      await page.keyboard.press('Escape');
      await page.mouse.move(want.dot.x, want.dot.y);
      const got = await tip(page, 'loss-chart');
      assert.deepEqual(got && got.rows, want.rows, `point ${k}`);
      assert.ok(near(got.rows[1][1], loss.get(Number(got.rows[0][1]))), `loss at step ${got.rows[0][1]}`);
    }
    // Away from every point (the top left corner) and off the chart: hidden.
    const box = await chart.boundingBox();
    await page.mouse.move(box.x + 3, box.y + 3);
    assert.equal(await tip(page, 'loss-chart'), null, 'nothing under the pointer, no tooltip');
    await page.mouse.move(first.dot.x, first.dot.y);
    assert.ok(await tip(page, 'loss-chart'));
    await page.mouse.move(box.x + box.width / 2, box.y + box.height + 80);
    assert.equal(await tip(page, 'loss-chart'), null, 'pointerleave hides');
    assert.equal(await pixels(page, 'loss-chart'), before, 'the chart was not redrawn by hovering');

    // Touch: a tap shows the point; lifting the finger keeps it.
    await page.evaluate(({ x, y }) => {
      const c = document.querySelector('[data-testid="loss-chart"]');
      c.dispatchEvent(new PointerEvent('pointerdown', { clientX: x, clientY: y, pointerType: 'touch', bubbles: true }));
      c.dispatchEvent(new PointerEvent('pointerleave', { clientX: x, clientY: y, pointerType: 'touch' }));
    }, first.dot);
    assert.equal((await tip(page, 'loss-chart'))?.name, 'minibatch loss', 'a tap shows the tooltip and it stays');
    await page.mouse.click(box.x + box.width / 2, box.y - 30);
    assert.equal(await tip(page, 'loss-chart'), null, 'a tap elsewhere hides it');

    // Measure, then the CCDF and the rank plot.
    await page.getByTestId('measure').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="structure-body"]').hidden, null, { timeout: 180_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="structure-body"]').getAttribute('aria-busy') === 'false', null, { timeout: 30_000 });
    // The full report (CLI schema): the measurement is its arm's "trained" structure.
    const report = JSON.parse(await download(page, 'report-json')).arms[0].measurements.find((m) => m.label === 'trained').structure;

    // CCDF of |g|: End goes to the largest |g|, at P = 1/n.
    const g = (await download(page, 'csv-tail-dim-g')).trim().split('\n').slice(1).map(Number);
    const ccdf = page.getByTestId('tail-dim-g');
    await ccdf.scrollIntoViewIfNeeded();
    await ccdf.focus();
    await page.keyboard.press('End');
    t = await tip(page, 'tail-dim-g');
    assert.equal(t.name, 'empirical CCDF');
    const gmax = Math.max(...g.map(Math.abs));
    const n = g.filter((v) => v !== 0).length;
    assert.equal(n, report.dimension_g.power_law.n, 'n: the non-zero coordinates');
    assert.deepEqual(t.rows.map((r) => r[0]), ['|x|', 'P(|X| ≥ x)']);
    assert.ok(near(t.rows[0][1], gmax), `largest |g|: shown ${t.rows[0][1]}, data ${gmax}`);
    assert.ok(near(t.rows[1][1], 1 / n), `P = 1/n: shown ${t.rows[1][1]}, 1/n = ${1 / n}`);
    await page.keyboard.press('Escape');
    await page.mouse.move(t.dot.x + 1, t.dot.y - 1);
    const m = await tip(page, 'tail-dim-g');
    assert.deepEqual(m && m.rows, t.rows, 'the mouse finds the same point');
    assert.ok(inside(m), 'CCDF tooltip inside its chart');

    // Rank plot: rank 3's eigenvalue is the report's third eigenvalue.
    const rank = page.getByTestId('rank-plot');
    await rank.scrollIntoViewIfNeeded();
    await rank.focus();
    for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
    t = await tip(page, 'rank-plot');
    assert.equal(t.name, 'spectrum');
    assert.deepEqual(t.rows[0], ['rank k', '3']);
    const ev = report.spectrum.report.eigenvalues;
    assert.ok(near(t.rows[1][1], ev[2]), `λ_3: shown ${t.rows[1][1]}, report ${ev[2]}`);
    // Four significant digits: the value rounded to 4 digits (trailing zeros dropped: 2.650 → "2.65").
    assert.ok(digits(t.rows[1][1]) <= 4 && Number(t.rows[1][1]) === Number(ev[2].toPrecision(4)), `4 significant digits: ${t.rows[1][1]} for ${ev[2]}`);
    await page.keyboard.press('Escape');
    await page.mouse.move(t.dot.x - 2, t.dot.y + 2);
    const r = await tip(page, 'rank-plot');
    assert.ok(r, 'hovering the rank plot shows the tooltip');
    assert.ok(['spectrum', 'Gaussian baseline'].includes(r.name) || r.name.startsWith('fit') || r.name.startsWith('MP edge'), r.name);
    if (r.name === 'spectrum') assert.ok(near(r.rows[1][1], ev[Number(r.rows[0][1]) - 1]));
    assert.ok(inside(r));
    await figureOf(page, 'rank-plot').screenshot({ path: screenshotPath('hover-rank-plot.png') });

    // Every other chart answers too.
    await page.getByTestId('view-iter-g-qq').click();
    for (const id of ['tail-dim-sgn', 'tail-iter-g', 'tail-iter-sgn', 'trace-share', 'eigengaps', 'davis-kahan']) {
      const c = page.getByTestId(id);
      await c.scrollIntoViewIfNeeded();
      await c.focus();
      await page.keyboard.press('ArrowRight');
      const x = await tip(page, id);
      assert.ok(x && x.rows.length === 2 && x.rows.every((row) => Number.isFinite(Number(row[1]))), `${id}: ${JSON.stringify(x)}`);
      await page.keyboard.press('Escape');
    }
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});
