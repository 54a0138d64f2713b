// End-to-end accessibility (docs/ACCESSIBILITY.md):
//   - axe-core (pinned devDependency) finds NO violation of any impact — on the lab, after a
//     measurement, on the upload view after an analysis, on the tour after a step ran, and on the
//     embed after a measurement — at 1280 and 360 CSS px wide;
//   - keyboard only: every visible control (buttons, selects, inputs, links, the setup summary,
//     each chart and each scrollable table) is reached with Tab, run controls in page order with a
//     visible focus outline; Space / Enter operate them; the file input opens its chooser from the
//     keyboard; a focused chart reads out its values with the arrow keys; the tour steps and runs
//     from the keyboard;
//   - every chart's description (aria-describedby) names its verdict or table, says the CSV export
//     is its long description, and explains the keys;
//   - a verdict is never carried by colour alone: every coloured outcome has its words;
//   - prefers-reduced-motion: no animation, transition or smooth scroll (emulated);
//   - no horizontal scrolling at 360 px.
// Screenshots: test-results/a11y-360.png, a11y-1920.png, a11y-embed-360.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { serveDist, launch, screenshotPath } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

/** Runs axe on the page (or frame); returns every violation, whatever its impact, as readable lines. */
async function audit(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.map((v) => `${label}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`);
}

async function resize(page, width, height) {
  await page.setViewportSize({ width, height });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Audits at 1280 and 360 px wide (and checks nothing scrolls sideways at 360). */
async function auditBothWidths(page, label) {
  const found = await audit(page, `${label}, 1280 px`);
  await resize(page, 360, 780);
  found.push(...await audit(page, `${label}, 360 px`));
  const sw = await scrollWidth(page);
  if (sw > 360) found.push(`${label}: the page scrolls sideways at 360 px (scrollWidth ${sw})`);
  await resize(page, 1280, 860);
  return found;
}

const scrollWidth = (page) => page.evaluate(() => document.scrollingElement.scrollWidth);
const focused = (page) => page.evaluate(() => {
  const e = document.activeElement;
  return e ? e.dataset.testid || e.id || e.getAttribute('aria-label') || e.tagName.toLowerCase() : null;
});

/** Every visible, enabled control a user can operate, named as `focused` names it. */
const controlsShown = (page) => page.evaluate(() => [...document.querySelectorAll(
  'button, select, input, textarea, a[href], summary, [tabindex="0"]')]
  .filter((e) => !e.disabled && e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .map((e) => e.dataset.testid || e.id || e.getAttribute('aria-label') || e.tagName.toLowerCase()));

/** Tabs through one full cycle of the page (until the first control comes round again); the
 * names focused, in order. (Where the cycle starts depends on the last focus; a full cycle does not.) */
async function tabCycle(page, limit = 400) {
  const order = [];
  for (let k = 0; k < limit; k++) {
    await page.keyboard.press('Tab');
    const id = await focused(page);
    if (id === 'body') continue; // the browser's own stop between the last control and the first
    if (order.length && id === order[0]) return order;
    order.push(id);
  }
  throw new Error(`no full Tab cycle in ${limit} presses: ${order.join(', ')}`);
}

/** One tiny gradient dump, so the upload view is shown too. */
function dump() {
  const rows = ['a,b,c,d,e,f'];
  for (let i = 0; i < 40; i++) rows.push(Array.from({ length: 6 }, (_, j) => (Math.sin(i * 7 + j * 3) * (1 + (i % 5))).toFixed(5)).join(','));
  return rows.join('\n') + '\n';
}

/** Outcome classes (coloured) must carry words too. */
const colourOnly = (page) => page.evaluate(() => [...document.querySelectorAll('.yes, .no, .agrees, .differs, .untested')]
  .filter((e) => e.getClientRects().length && !/[A-Za-z]{2,}/.test(e.textContent))
  .map((e) => `${e.className}: "${e.textContent}"`));

test('axe: no violation on the lab, a measurement, an analysis and a tour step; every control by keyboard', { timeout: 420_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin, contextOptions: { bypassCSP: true } });
  try {
    await page.goto(server.base + '#seed=5&data=digits&epochs=2');
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    const violations = await auditBothWidths(page, 'lab');

    // Tab order: every run control, in the order the page shows them, with a focus outline.
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
    const seed = await page.getByTestId('seed').inputValue();
    await page.getByTestId('new-seed').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((s) => document.querySelector('[data-testid="seed"]').value !== s, seed);
    await page.waitForFunction(() => !document.querySelector('[data-testid="measure"]').disabled, null, { timeout: 60_000 });
    await page.getByTestId('tail-level').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getByTestId('tail-level').inputValue(), '0.01', 'a select changes with the arrow keys');
    // Train to the end (two epochs), then measure from the keyboard.
    await page.getByTestId('play').focus();
    await page.keyboard.press('Space');
    await page.waitForFunction(() => /^Finished/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 120_000 });
    await page.getByTestId('measure').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('[data-testid="structure-body"]').hidden || document.querySelector('[data-testid="status"]').classList.contains('bad'),
      null, { timeout: 180_000 });
    assert.equal(await page.getByTestId('structure-body').isHidden(), false, await page.getByTestId('status').textContent());
    await page.waitForFunction(() => document.querySelector('[data-testid="structure-body"]').getAttribute('aria-busy') === 'false', null, { timeout: 60_000 });
    assert.match(await page.getByTestId('verdict-dim-g').textContent(), /α = 0\.01/, 'measured at the level chosen with the keyboard');

    // A chart from the keyboard: its description, then the values under the arrow keys.
    const chart = page.getByTestId('tail-dim-g');
    const described = await chart.evaluate((c) => (c.getAttribute('aria-describedby') || '').split(' ')
      .map((id) => ({ id, text: document.getElementById(id)?.textContent || '' })));
    assert.deepEqual(described.map((d) => d.id), ['verdict-dim-g', 'normality-dim-g', 'chart-longdesc', 'hover-help']);
    assert.match(described[0].text, /power law/);
    assert.match(described[2].text, /CSV/);
    assert.match(described[3].text, /arrow keys/);
    await chart.focus();
    await page.keyboard.press('ArrowRight');
    const tip = page.getByTestId('hover-tail-dim-g');
    await tip.waitFor({ state: 'visible' });
    const first = await tip.textContent();
    await page.keyboard.press('End');
    assert.notEqual(await tip.textContent(), first, 'End moves the read-out to the last point');
    await page.keyboard.press('ArrowDown');
    assert.match(await tip.textContent(), /power law|fit/i, 'ArrowDown moves to the next series (the fit)');
    await page.keyboard.press('Escape');
    await tip.waitFor({ state: 'hidden' });
    for (const id of ['loss-chart', 'rank-plot', 'trace-share', 'eigengaps', 'davis-kahan']) {
      const ids = await page.getByTestId(id).getAttribute('aria-describedby');
      assert.match(ids, /chart-longdesc hover-help$/, `${id}: ${ids}`);
      assert.ok(ids.split(' ').length >= 3, `${id} names its verdict or table: ${ids}`);
    }
    // The view switch from the keyboard.
    await page.getByTestId('view-dim-g-qq').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="tail-dim-g"]').dataset.view === 'qq');

    // The file input from the keyboard opens the chooser.
    await page.getByTestId('upload-file').focus();
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
    await chooser.setFiles({ name: 'g.csv', mimeType: 'text/csv', buffer: Buffer.from(dump()) });
    await page.waitForFunction(() => !document.querySelector('[data-testid="upload-body"]').hidden, null, { timeout: 60_000 });
    const uploadIds = await page.getByTestId('upload-ccdf').getAttribute('aria-describedby');
    assert.equal(uploadIds, 'upload-status upload-table chart-longdesc hover-help');
    violations.push(...await auditBothWidths(page, 'measured + analysis'));

    // The tour from the keyboard: Next to the mechanism demo (a quick step), Run, its charts.
    await page.getByTestId('tour-next').focus();
    for (let k = 0; k < 20 && !/Mechanism/.test(await page.getByTestId('tour-heading').textContent()); k++) await page.keyboard.press('Enter');
    assert.match(await page.getByTestId('tour-heading').textContent(), /Mechanism/);
    await page.getByTestId('tour-run').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('[data-testid="tour-result"]').hidden
      && document.querySelector('[data-testid="tour-charts"]').getAttribute('aria-busy') === 'false', null, { timeout: 180_000 });
    assert.match(await page.getByTestId('tour-chart-0').getAttribute('aria-describedby'), /^tour-verdicts chart-longdesc hover-help$/);
    violations.push(...await auditBothWidths(page, 'tour step'));
    assert.deepEqual(await colourOnly(page), [], 'every coloured outcome has words');

    // Every visible control is reached by Tab in one cycle (charts, tables and the tour's included).
    const shown = await controlsShown(page);
    const cycle = await tabCycle(page);
    const missed = shown.filter((c) => !cycle.includes(c));
    assert.deepEqual(missed, [], `not reached with Tab: ${missed.join(', ')} (cycle: ${cycle.join(', ')})`);

    await resize(page, 360, 780);
    await page.screenshot({ path: screenshotPath('a11y-360.png'), fullPage: true });
    await resize(page, 1920, 1080);
    assert.ok(await scrollWidth(page) <= 1920);
    await page.screenshot({ path: screenshotPath('a11y-1920.png'), fullPage: true });
    assert.deepEqual(violations, [], violations.join('\n'));
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});

test('axe: no violation in the embed, before and after a measurement', { timeout: 240_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin, contextOptions: { bypassCSP: true } });
  try {
    await page.goto(server.base + '#seed=5&data=digits&epochs=1&embed=1');
    // Before Run: the poster and its one button; Run this starts the engine and trains to the end.
    await page.getByTestId('embed-run').waitFor();
    const violations = await auditBothWidths(page, 'embed poster');
    await page.getByTestId('embed-run').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    violations.push(...await auditBothWidths(page, 'embed'));
    await page.waitForFunction(() => /^Finished/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 120_000 });
    await page.getByTestId('measure').click();
    await page.waitForFunction(() => /^Measured/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 180_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="structure-body"]').getAttribute('aria-busy') === 'false', null, { timeout: 60_000 });
    violations.push(...await auditBothWidths(page, 'embed, measured'));
    assert.deepEqual(await colourOnly(page), []);
    // In the embed every shown control is reached with Tab too, and nothing hidden takes focus.
    const shown = await controlsShown(page);
    const cycle = await tabCycle(page);
    assert.deepEqual(shown.filter((c) => !cycle.includes(c)), [], `cycle: ${cycle.join(', ')}`);
    assert.deepEqual(cycle.filter((c) => !shown.includes(c)), [], 'nothing invisible is focused');
    await resize(page, 360, 780);
    await page.screenshot({ path: screenshotPath('a11y-embed-360.png'), fullPage: true });
    assert.deepEqual(violations, [], violations.join('\n'));
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});

test('prefers-reduced-motion: no animation, transition or smooth scroll', { timeout: 180_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin, contextOptions: { reducedMotion: 'reduce' } });
  try {
    await page.goto(server.base + '#seed=5&data=digits&epochs=1');
    assert.equal(await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches), true, 'the emulation is on');
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    // The style sheet's rule neutralises motion anything might add: a transition and an animation
    // given to an element of the page compute to zero duration.
    const probe = await page.evaluate(() => {
      const d = document.createElement('div');
      d.className = 'panel';
      d.style.transition = 'opacity 2s'; d.style.animation = 'x 3s infinite';
      document.querySelector('main').append(d);
      const s = getComputedStyle(d);
      const r = { transition: s.transitionDuration, animation: s.animationDuration, scroll: getComputedStyle(document.documentElement).scrollBehavior };
      d.remove();
      return r;
    });
    assert.deepEqual(probe, { transition: '0s', animation: '0s', scroll: 'auto' });
    // While the page trains, measures and opens a tour step (which scrolls), nothing animates.
    const animations = [];
    const sample = async () => animations.push(...await page.evaluate(() => document.getAnimations().map((a) => a.constructor.name)));
    await page.getByTestId('play').click();
    for (let k = 0; k < 5; k++) { await sample(); await page.waitForTimeout(100); }
    await page.waitForFunction(() => /^Finished/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 120_000 });
    await page.getByTestId('measure').click();
    await sample();
    await page.waitForFunction(() => /^Measured/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 180_000 });
    await sample();
    await page.evaluate(() => { location.hash += '&tour=2'; });
    await sample();
    assert.deepEqual(animations, []);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});
