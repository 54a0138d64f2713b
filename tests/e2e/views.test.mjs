// End-to-end: a tour step in the link (`&tour=N` beside the config state), lazy tour assets (a
// step fetches only the files it reads), and progress for the dataset download and an upload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launch, canvasInk, screenshotPath, ROOT } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

/** Distinct asset files the page (or its workers) asked for; the service worker's install-time
 * precache of every dataset (for offline use, `offline.test.mjs`) is not counted. */
const assetsAsked = (log) => [...new Set(log.pageRequests.filter((u) => /\/assets\//.test(u)).map((u) => u.replace(/^.*\/assets\//, '')))].sort();

test('a tour link opens its step; a step fetches only its own assets; loads show progress', { timeout: 240_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  // Every status text and every time a progress bar is shown, from the first moment.
  await page.addInitScript(() => {
    window.seen = { status: [], shown: [] };
    document.addEventListener('DOMContentLoaded', () => {
      const status = document.querySelector('[data-testid="status"]');
      new MutationObserver(() => window.seen.status.push(status.textContent)).observe(status, { childList: true, characterData: true, subtree: true });
      for (const id of ['load-progress', 'upload-progress']) {
        const bar = document.querySelector(`[data-testid="${id}"]`);
        new MutationObserver(() => { if (!bar.hidden) window.seen.shown.push(id); }).observe(bar, { attributes: true });
      }
    });
  });
  try {
    await page.goto(server.base + '#seed=2&tour=8');
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    // The link's step is open, and the rewritten hash (config state) still names it.
    assert.equal(await page.getByTestId('tour-pos').textContent(), `8 / ${await page.evaluate(() => document.querySelector('[data-testid="tour-pos"]').textContent.split(' / ')[1])}`);
    assert.match(await page.getByTestId('tour-heading').textContent(), /Mechanism/);
    assert.match(page.url(), /#v1\.[^&]*&tour=8$/);

    // The dataset download showed its progress (bytes), then the bar went away.
    const seen = await page.evaluate(() => window.seen);
    assert.ok(seen.status.some((s) => /^Loading mnist-10k\.bin\.gz: \d+\.\d( of \d+\.\d)? MB…$/.test(s)), JSON.stringify(seen.status));
    assert.ok(seen.shown.includes('load-progress'));
    assert.equal(await page.getByTestId('load-progress').isHidden(), true);
    assert.deepEqual(assetsAsked(log), ['mnist-10k.bin.gz'], 'the lab loads only its own dataset');

    // The mechanism demo needs no dataset: running it fetches nothing.
    await page.getByTestId('tour-run').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="tour-result"]').hidden, null, { timeout: 120_000 });
    assert.deepEqual(assetsAsked(log), ['mnist-10k.bin.gz'], 'no dataset fetched for the mechanism demo');
    // The step draws the charts its text refers to: each setting's pooled (dimension-wise) and
    // one-coordinate (iteration-wise) CCDF, from the report's CCDF summaries, with the fit.
    await page.waitForFunction(() => document.querySelector('[data-testid="tour-charts"]').getAttribute('aria-busy') === 'false');
    const mech = await page.evaluate(() => [...document.querySelectorAll('[data-testid="tour-charts"] canvas')]
      .map((c) => ({ id: c.dataset.testid, kind: c.dataset.kind, label: c.getAttribute('aria-label'), series: c.dataset.series })));
    assert.equal(mech.length, 8, JSON.stringify(mech));
    assert.ok(mech.every((c) => c.kind === 'ccdf' && /empirical CCDF/.test(c.series)), JSON.stringify(mech));
    assert.ok(mech.some((c) => /pooled/.test(c.label) && /power law, α̂/.test(c.series)), 'fit lines drawn');
    for (const c of mech) assert.ok((await canvasInk(page, c.id)).ink > 3000, `${c.id} drawn`);
    assert.ok(await page.getByTestId('png-tour-chart-0').isVisible() && await page.getByTestId('csv-tour-chart-0').isVisible());
    await page.getByTestId('tour').screenshot({ path: screenshotPath('tour-mechanism.png') });
    // The step's report downloads in the CLI's schema.
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('tour-json').click()]);
    assert.equal(d.suggestedFilename(), 'sgn-lab-mechanism-seed2.json');
    const tourReport = JSON.parse(fs.readFileSync(await d.path(), 'utf8'));
    const cli = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/fixtures/experiment_report.json'), 'utf8'));
    // A tour step runs its replicates: the report adds them and their summary to the CLI's schema.
    assert.deepEqual(Object.keys(tourReport).filter((k) => !['replicates', 'summary'].includes(k)).sort(), Object.keys(cli).sort());
    assert.ok(tourReport.summary.claims.length === 1 && tourReport.replicates.length === 2, 'three replicates by default');
    assert.equal(tourReport.schema_version, cli.schema_version);
    assert.equal(tourReport.preset, 'mechanism');
    assert.ok(tourReport.mechanism && tourReport.mechanism.rows.length >= 3);

    // Next → the hash follows; a reload opens that step; the config part is unchanged.
    const state = page.url().match(/#(v1\.[^&]*)/)[1];
    await page.getByTestId('tour-next').click();
    assert.match(page.url(), /&tour=9$/);
    await page.reload();
    await page.waitForFunction(() => /^9 \//.test(document.querySelector('[data-testid="tour-pos"]').textContent), null, { timeout: 30_000 });
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    assert.equal(page.url().match(/#(v1\.[^&]*)/)[1], state, 'the config state is untouched by the tour part');
    assert.match(page.url(), /&tour=9$/);
    // Step 9 (subspace): the Davis–Kahan view its text names, and the rank plot with fit and baseline.
    await page.getByTestId('tour-run').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="tour-result"]').hidden, null, { timeout: 180_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="tour-charts"]').getAttribute('aria-busy') === 'false');
    const sub = await page.evaluate(() => [...document.querySelectorAll('[data-testid="tour-charts"] canvas')].map((c) => ({ id: c.dataset.testid, kind: c.dataset.kind, series: c.dataset.series })));
    assert.deepEqual(sub.map((c) => c.kind), ['rank', 'davis_kahan'], JSON.stringify(sub));
    assert.match(sub[0].series, /spectrum \| Gaussian baseline \| fit ŝ = /);
    for (const c of sub) assert.ok((await canvasInk(page, c.id)).ink > 3000, `${c.id} drawn`);
    await page.getByTestId('tour').screenshot({ path: screenshotPath('tour-subspace.png') });
    // A shared link carries the step.
    await page.getByTestId('copy-link').click();
    assert.match(await page.locator('#share-code').inputValue(), /#v1\.[^&]*(&[^&]*)*&tour=9$/);

    // An upload shows its progress bar while it is read and analysed.
    await page.getByTestId('upload-file').setInputFiles({ name: 'g.csv', mimeType: 'text/csv', buffer: Buffer.from(Array.from({ length: 40 }, (_, i) => Array.from({ length: 30 }, (_, j) => Math.sin(i * 31 + j * 7 + 1).toFixed(5)).join(',')).join('\n') + '\n') });
    await page.waitForFunction(() => !document.querySelector('[data-testid="upload-body"]').hidden, null, { timeout: 60_000 });
    assert.ok((await page.evaluate(() => window.seen.shown)).includes('upload-progress'), 'upload progress shown');
    assert.equal(await page.getByTestId('upload-progress').isHidden(), true, 'and hidden when done');
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});
