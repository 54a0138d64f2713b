// Slow devices and phones (Chromium; docs/ACCESSIBILITY.md "Slow devices and phones").
//   1. A budget-Chromebook stand-in: DevTools CPU throttling 4× (Emulation.setCPUThrottlingRate) on a
//      1366 × 768 screen at device pixel ratio 1.
//      Play → the first loss point on the chart within 1 s; no main-thread task over 200 ms while
//      training (longtask observer; the Long Animation Frames name the script when one is long);
//      a tour step completes. Screenshot: test-results/throttled-4x.png.
//   2. A phone: 360 CSS px wide, touch (hasTouch, isMobile), devicePixelRatio 3. Everything is
//      driven by taps; every shown control can be scrolled to and tapped (nothing covers it, nothing
//      lies outside the 360 px); no chart is wider than its box or the screen; nothing scrolls
//      sideways. Screenshots: test-results/phone-360-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, canvasInk, screenshotPath } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

/** Long tasks and long animation frames, recorded from the first script on. */
function observeLongTasks() {
  window.longTasks = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longTasks.push({ at: e.startTime, ms: Math.round(e.duration) }); })
    .observe({ type: 'longtask', buffered: true });
  window.longFrames = [];
  try {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) {
        if (e.duration > 100) window.longFrames.push(`${Math.round(e.duration)} ms: ${e.scripts.map((x) => `${x.invoker} ${(x.sourceURL || '').split('/').pop()} ${Math.round(x.duration)} ms`).join(', ') || 'no script (style, layout, paint)'}`);
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch { /* no LoAF */ }
}

const longestSince = (page, t) => page.evaluate((since) => Math.max(0, ...window.longTasks.filter((x) => x.at >= since).map((x) => x.ms)), t);

test('4× CPU throttling: first loss point within 1 s of Play, frames answered while training, no main-thread task over 200 ms while training, a tour step completes', { timeout: 600_000 }, async () => {
  // A budget Chromebook: a 1366 × 768 screen at device pixel ratio 1, and a CPU 4× slower.
  const { context, page, log, close } = await launch({ origin: server.origin, viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1 });
  try {
    await page.addInitScript(observeLongTasks);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    // The default lab: the MNIST subset and FCN 784→100→100→10, as a class opens it.
    await page.goto(server.base + '#seed=3');
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 180_000 });
    await page.waitForTimeout(500);

    // Play → the first loss on the readout and drawn on the chart (the frame after it).
    const firstPoint = await page.evaluate(() => new Promise((resolve) => {
      const loss = document.querySelector('[data-testid="r-loss"]');
      const t0 = performance.now();
      const mo = new MutationObserver(() => {
        if (loss.textContent === '—') return;
        mo.disconnect();
        requestAnimationFrame(() => requestAnimationFrame(() => resolve({ ms: performance.now() - t0, t0 })));
      });
      mo.observe(loss, { childList: true, characterData: true, subtree: true });
      document.querySelector('[data-testid="play"]').click();
    }));
    console.log(`# 4× throttled: Play → first loss point ${Math.round(firstPoint.ms)} ms`);
    assert.ok(firstPoint.ms <= 1000, `first loss point after ${Math.round(firstPoint.ms)} ms`);

    // Train for 8 s: the main thread keeps every task under 200 ms.
    await page.waitForTimeout(8000);
    const steps = Number(await page.getByTestId('r-step').textContent());
    assert.ok(steps >= 20, `trained ${steps} steps in 8 s`);
    const rAF = await page.evaluate(() => new Promise((r) => { const t = performance.now(); requestAnimationFrame(() => r(performance.now() - t)); }));
    const training = await longestSince(page, firstPoint.t0);
    console.log(`# 4× throttled: ${steps} steps in 8 s; longest main-thread task while training ${training} ms; a frame answered in ${Math.round(rAF)} ms`);
    for (const f of await page.evaluate(() => window.longFrames)) console.log(`# long frame ${f}`);
    // The training chart is redrawn every frame; its text is measured with the canvas' own
    // measureText (src/web/canvas2d.rs), no forced layout per label (docs/RELIABILITY.md "Main thread").
    assert.ok(training <= 200, `a main-thread task of ${training} ms while training`);
    assert.ok(rAF <= 200, `the page answers a frame within 200 ms while training (${Math.round(rAF)} ms)`);
    await page.getByTestId('play').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="play"]').textContent === 'Play', null, { timeout: 30_000 });
    assert.ok((await canvasInk(page, 'loss-chart')).ink > 3000, 'the loss chart is drawn');

    // A tour step (the mechanism demo) runs to its verdicts and charts.
    for (let k = 0; k < 20 && !/Mechanism/.test(await page.getByTestId('tour-heading').textContent()); k++) await page.getByTestId('tour-next').click();
    const t1 = await page.evaluate(() => performance.now());
    await page.getByTestId('tour-run').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="tour-result"]').hidden
      && document.querySelector('[data-testid="tour-charts"]').getAttribute('aria-busy') === 'false', null, { timeout: 480_000 });
    const tourSeconds = ((await page.evaluate(() => performance.now())) - t1) / 1000;
    assert.match(await page.getByTestId('tour-verdicts').textContent(), /^(Agrees with the paper|Differs from the paper|Mixed|Not enough runs|Could not be tested)\./);
    const tour = await longestSince(page, t1);
    console.log(`# 4× throttled: mechanism tour step ${tourSeconds.toFixed(1)} s; longest main-thread task ${tour} ms`);
    await page.getByTestId('tour').screenshot({ path: screenshotPath('throttled-4x-tour.png') });
    await page.screenshot({ path: screenshotPath('throttled-4x.png'), fullPage: true });
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});

/** Every shown control: is it inside the 360 px, and does a tap at its centre land on it? */
async function unreachable(page) {
  const ids = await page.evaluate(() => {
    const all = [...document.querySelectorAll('button, select, input, textarea, a[href], summary, canvas')]
      .filter((e) => !e.disabled && e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden');
    all.forEach((e, i) => { e.dataset.reach = String(i); });
    return all.map((e, i) => i);
  });
  const bad = [];
  for (const i of ids) {
    const el = page.locator(`[data-reach="${i}"]`);
    await el.scrollIntoViewIfNeeded();
    const r = await el.evaluate((e) => {
      const b = e.getBoundingClientRect();
      // (An inline link may wrap: tap its first line box. A file input is drawn by its label, the
      // drop zone, where a tap works too.)
      const f = e.getClientRects()[0];
      const x = f.left + Math.min(f.width / 2, 20);
      const y = f.top + f.height / 2;
      const hit = document.elementFromPoint(x, y);
      const name = e.dataset.testid || e.id || e.getAttribute('aria-label') || e.textContent.trim().slice(0, 30) || e.tagName;
      return { name, left: b.left, right: b.right, w: b.width, h: b.height, hit: Boolean(hit && (hit === e || e.contains(hit) || (hit.control === e) || hit.closest('label')?.control === e)) };
    });
    if (r.left < -0.5 || r.right > 360.5 || !r.hit || r.w < 1 || r.h < 1) bad.push(`${r.name} (${Math.round(r.left)}–${Math.round(r.right)} px, ${Math.round(r.w)}×${Math.round(r.h)}, tap lands on it: ${r.hit})`);
  }
  return bad;
}

/** Charts wider than their box or the screen. */
const overflowing = (page) => page.evaluate(() => [...document.querySelectorAll('canvas')]
  .filter((c) => c.getClientRects().length)
  .filter((c) => {
    const r = c.getBoundingClientRect();
    const box = c.parentElement.getBoundingClientRect();
    return r.left < -0.5 || r.right > innerWidth + 0.5 || r.right > box.right + 0.5 || r.width < 200 || Math.abs(c.width - r.width * devicePixelRatio) > 1.5;
  })
  .map((c) => `${c.dataset.testid}: ${Math.round(c.getBoundingClientRect().width)} px wide, backing ${c.width}`));

test('360 px with touch: every control reachable by a tap, no chart overflows, nothing scrolls sideways', { timeout: 480_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin, viewport: { width: 360, height: 780 }, deviceScaleFactor: 3,
    contextOptions: { hasTouch: true, isMobile: true } });
  try {
    await page.goto(server.base + '#seed=5&data=digits&epochs=1');
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => matchMedia('(pointer: coarse)').matches), true, 'a touch screen');
    await page.screenshot({ path: screenshotPath('phone-360-start.png') });
    await page.getByTestId('play').tap();
    await page.waitForFunction(() => /^Finished/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 120_000 });
    await page.getByTestId('measure').tap();
    await page.waitForFunction(() => /^Measured/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 180_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="structure-body"]').getAttribute('aria-busy') === 'false', null, { timeout: 60_000 });
    // A tap on a chart reads out a value too (hover.js uses pointer events; the touch radius is
    // larger): tap where the canvas shows the series' colour (Okabe–Ito blue, the CCDF's points).
    await page.getByTestId('tail-dim-g').scrollIntoViewIfNeeded();
    const drawn = await page.getByTestId('tail-dim-g').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const blue = [];
      for (let i = 0; i < d.length; i += 4) {
        if (d[i] < 40 && Math.abs(d[i + 1] - 114) < 25 && Math.abs(d[i + 2] - 178) < 25 && d[i + 3] > 200) blue.push(i / 4);
      }
      const k = c.width / c.getBoundingClientRect().width;
      return [0.25, 0.5, 0.75].map((q) => blue[Math.floor(q * (blue.length - 1))]).filter((i) => i !== undefined)
        .map((i) => ({ x: (i % c.width) / k, y: Math.floor(i / c.width) / k }));
    });
    assert.ok(drawn.length > 0, 'the CCDF drew its points');
    let shown = false;
    for (const p of drawn) {
      const tb = await page.getByTestId('tail-dim-g').boundingBox();
      await page.touchscreen.tap(tb.x + p.x, tb.y + p.y);
      if (await page.getByTestId('hover-tail-dim-g').isVisible()) { shown = true; break; }
    }
    assert.ok(shown, 'a tap on a chart shows its read-out');
    await page.getByTestId('upload-file').setInputFiles({ name: 'g.csv', mimeType: 'text/csv',
      buffer: Buffer.from(['a,b,c,d', ...Array.from({ length: 40 }, (_, i) => [1, 2, 3, 4].map((j) => Math.sin(i * 7 + j * 3).toFixed(4)).join(','))].join('\n') + '\n') });
    await page.waitForFunction(() => !document.querySelector('[data-testid="upload-body"]').hidden, null, { timeout: 60_000 });
    for (let k = 0; k < 20 && !/Mechanism/.test(await page.getByTestId('tour-heading').textContent()); k++) await page.getByTestId('tour-next').tap();
    await page.getByTestId('tour-run').tap();
    await page.waitForFunction(() => !document.querySelector('[data-testid="tour-result"]').hidden
      && document.querySelector('[data-testid="tour-charts"]').getAttribute('aria-busy') === 'false', null, { timeout: 240_000 });

    assert.deepEqual(await overflowing(page), [], 'charts inside their boxes and the screen, sharp at DPR 3');
    assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth) <= 360, 'no sideways scrolling');
    const bad = await unreachable(page);
    assert.deepEqual(bad, [], `controls that cannot be tapped at 360 px:\n${bad.join('\n')}`);
    for (const [id, name] of [['controls-title', 'run'], ['training-title', 'training'], ['structure-title', 'structure'], ['tour-title', 'tour'], ['upload-title', 'upload']]) {
      await page.locator(`#${id}`).scrollIntoViewIfNeeded();
      await page.evaluate((h) => document.getElementById(h).scrollIntoView({ block: 'start' }), id);
      await page.screenshot({ path: screenshotPath(`phone-360-${name}.png`) });
    }
    for (const id of ['fig-dim-g', 'fig-iter-sgn', 'rank-plot', 'tour-chart-0', 'upload-ccdf']) {
      const fig = page.getByTestId(id).locator('xpath=ancestor-or-self::figure[1]');
      await fig.scrollIntoViewIfNeeded();
      await fig.screenshot({ path: screenshotPath(`phone-360-chart-${id}.png`) });
    }
    await page.screenshot({ path: screenshotPath('phone-360-full.png'), fullPage: true });
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});
