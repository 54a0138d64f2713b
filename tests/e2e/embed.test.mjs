// End-to-end: "copy embed code" gives an <iframe> that shows one experiment with minimal chrome
// (the run controls, the training chart, the Measure button and its verdicts — no setup, seed,
// measurement settings, tour or upload), and a classroom link hides each chosen control group.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, screenshotPath } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

/** What each classroom-link group hides (test ids). */
const GROUPS = {
  data: ['set-data', 'set-labels'],
  model: ['set-model', 'set-width', 'set-act'],
  optimizer: ['set-lr', 'set-bs', 'set-epochs', 'set-mom', 'set-wd', 'set-sched'],
  seed: ['seed', 'new-seed'],
  measurement: ['tail-rule', 'tail-level', 'tail-draws', 'spectrum-n', 'set-tracked'],
  upload: ['upload'],
  tour: ['tour'],
};
const ALL = Object.values(GROUPS).flat();

const ready = (f) => f.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });

test('embed code: minimal by default — controls, chart, measurement verdicts; no setup, tour or upload', { timeout: 240_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin, viewport: { width: 900, height: 900 }, deviceScaleFactor: 1 });
  try {
    await page.goto(server.base + '#seed=8&data=digits');
    await ready(page);
    await page.getByTestId('copy-embed').click(); // nothing ticked but the default
    const snippet = await page.getByTestId('share-code').inputValue();
    assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/some\/sub-path\/#v1\.[A-Za-z0-9_-]+&embed=1" title="[^"]+" width="100%" height="560" /, snippet);

    // A blog post on another origin (about:blank here) embedding the snippet.
    await page.setContent(`<!doctype html><html><body style="max-width:760px;margin:1rem auto;font-family:serif"><h1>My post</h1><p>Some text before the experiment.</p>${snippet}<p>Text after.</p></body></html>`);
    const frame = page.frameLocator('iframe');
    await frame.getByTestId('play').waitFor();
    const f = page.frames().find((x) => x.url().includes('embed=1'));
    await ready(f);
    assert.ok(await f.evaluate(() => document.body.classList.contains('embed')), 'embed mode');
    for (const id of [...ALL, 'settings', 'copy-embed', 'tour-run']) assert.equal(await frame.getByTestId(id).isVisible(), false, `${id} hidden in the embed`);
    for (const id of ['play', 'step', 'reset', 'loss-chart', 'status', 'measure', 'data-desc', 'open-full']) assert.equal(await frame.getByTestId(id).isVisible(), true, `${id} shown`);
    assert.match(await frame.getByTestId('open-full').getAttribute('href'), /#v1\.[A-Za-z0-9_-]+$/);
    assert.equal(await frame.getByTestId('seed').inputValue(), '8', 'the embed runs the same seed');
    assert.equal(await frame.getByTestId('set-data').inputValue(), 'digits');
    // Compact: the controls and the training chart fit in the snippet's height without scrolling.
    const box = await f.evaluate(() => {
      const r = (id) => document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect();
      return { chartBottom: r('loss-chart').bottom, play: r('play').bottom, measure: r('measure').top };
    });
    await page.screenshot({ path: screenshotPath("embed-layout.png"), fullPage: true });
    assert.ok(box.chartBottom <= 560 && box.play <= 560, `controls and chart within 560 px: ${JSON.stringify(box)}`);
    for (let i = 1; i <= 30; i++) await frame.getByTestId('step').click();
    await f.waitForFunction(() => document.querySelector('[data-testid="r-step"]').textContent === '30');
    await page.screenshot({ path: screenshotPath('embed-default.png'), fullPage: true });
    // The verdicts: a measurement runs inside the embed and shows Table A.
    await frame.getByTestId('measure').click();
    await f.waitForFunction(() => /^Measured/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 180_000 });
    assert.equal(await frame.getByTestId('table-a').isVisible(), true, 'Table A (the verdicts) shown');
    await frame.getByTestId('measure').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('embed-measured.png') });
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});

test('classroom link: each control group can be hidden on its own', { timeout: 240_000 }, async () => {
  const { context, page, log, close } = await launch({ origin: server.origin, deviceScaleFactor: 1 });
  try {
    await page.goto(server.base + '#seed=8&data=digits');
    await ready(page);
    const student = await context.newPage();
    for (const part of Object.keys(GROUPS)) {
      for (const p of Object.keys(GROUPS)) await page.getByTestId(`hide-${p}`).setChecked(p === part);
      await page.getByTestId('copy-link').click();
      const link = await page.getByTestId('share-code').inputValue();
      assert.match(link, new RegExp(`#v1\\.[A-Za-z0-9_-]+&hide=${part}$`), link);
      assert.doesNotMatch(link, /embed=1/);
      await student.goto('about:blank');
      await student.goto(link);
      await ready(student);
      for (const id of ALL) {
        const hidden = GROUPS[part].includes(id);
        assert.equal(await student.getByTestId(id).isVisible(), !hidden, `hide=${part}: ${id} ${hidden ? 'hidden' : 'shown'}`);
      }
      assert.equal(await student.getByTestId('settings').isVisible(), true, 'the rest of the setup stays');
    }
    // Several at once, and the whole setup box goes when all its groups are hidden.
    for (const p of Object.keys(GROUPS)) await page.getByTestId(`hide-${p}`).setChecked(['data', 'model', 'optimizer', 'measurement', 'tour'].includes(p));
    await page.getByTestId('copy-link').click();
    const link = await page.getByTestId('share-code').inputValue();
    assert.match(link, /&hide=data,model,optimizer,measurement,tour$/);
    await student.goto('about:blank');
    await student.goto(link);
    await ready(student);
    assert.equal(await student.getByTestId('settings').isVisible(), false, 'empty setup box hidden');
    assert.equal(await student.getByTestId('seed').isVisible(), true);
    assert.equal(await student.getByTestId('upload').isVisible(), true);
    assert.equal(await student.getByTestId('measure').isVisible(), true, 'Measure stays; only its settings go');
    await student.getByTestId('step').click();
    await student.waitForFunction(() => document.querySelector('[data-testid="r-step"]').textContent === '1');
    await student.screenshot({ path: screenshotPath('classroom-hidden.png'), fullPage: true });
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});
