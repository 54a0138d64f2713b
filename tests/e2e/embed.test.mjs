// End-to-end: embeds a blogger would ship (issue #20). The author picks a view in "Copy embed
// code"; the post (served from a second loopback origin, `localhost`, while the lab is on
// 127.0.0.1) holds three embeds of different views. Checked: each shows its poster and one
// "Run this" button before interaction and starts no worker and fetches no dataset until its
// click (an init script counts `new Worker` in every frame; the server's log counts the worker
// script and the datasets); a forged height message from another origin, and messages from the
// lab's origin with the wrong shape, id or source, are ignored; after Run each view is fully
// visible without inner scrolling (iframe height ≥ its content's height) and fits its fallback
// height; start-when-visible embeds start one at a time; an old `&embed=1` link opens the lab
// view; a classroom link hides each chosen control group.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, screenshotPath, canvasInk } from './harness.mjs';
import { serveBlog, post, engineRequests } from './blog.mjs';

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
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Counts `new Worker` in every frame of the context (the embeds included). */
const COUNT_WORKERS = () => {
  const W = window.Worker;
  if (!W) return;
  window.__workers = 0;
  window.Worker = class extends W {
    constructor(...a) { super(...a); window.__workers += 1; }
  };
};

/** The embed frames of the post, in page order, with their host-side iframe. */
async function embeds(page) {
  const out = [];
  for (const el of await page.locator('iframe[data-sgn-lab^="sgn-lab-"]').elementHandles()) {
    out.push({ el, frame: await el.contentFrame(), id: await el.getAttribute('data-sgn-lab') });
  }
  return out;
}

/** The iframe's height on the host page and its content's height inside (CSS px). */
async function heights(e) {
  const outer = await e.el.evaluate((f) => f.getBoundingClientRect().height);
  const inner = await e.frame.evaluate(() => ({
    content: Math.ceil(document.documentElement.getBoundingClientRect().height),
    scroll: document.scrollingElement.scrollHeight,
    viewport: innerHeight,
  }));
  return { outer, ...inner };
}

/** A screenshot of the whole post: the viewport made as tall as the page first (Chromium does not
 * paint cross-origin iframes outside the viewport into a full-page shot), then put back. */
async function fullShot(page, name) {
  const size = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: size.width, height });
  await sleep(1000);
  await page.screenshot({ path: screenshotPath(name) });
  await page.setViewportSize(size);
}

/** Waits until the iframe is as tall as its content (the snippet's script followed the messages). */
async function sized(page, e) {
  for (let i = 0; i < 100; i++) {
    const h = await heights(e);
    if (Math.abs(h.outer - h.content) <= 1 && h.scroll <= h.viewport) return h;
    await sleep(100);
  }
  return heights(e);
}

test('three embeds on a blog: posters first, no engine until Run, sized to content, forged messages ignored', { timeout: 420_000 }, async () => {
  const { context, page, log, close } = await launch({ origin: server.origin, viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1 });
  let blog;
  try {
    // The author: the lab, then "Copy embed code" for three views.
    await page.goto(server.base + '#seed=8&data=digits&epochs=1');
    await ready(page);
    const views = [['train', '', 460], ['tails', 'dim-g', 1100], ['spectrum', '', 1200]];
    const snippets = [];
    for (const [v, kind] of views) {
      await page.getByTestId('embed-view').selectOption(v);
      if (v === 'tails') await page.getByTestId('embed-kind').selectOption(kind);
      await page.getByTestId('copy-embed').click();
      snippets.push(await page.getByTestId('share-code').inputValue());
    }
    views.forEach(([v, kind, h], i) => {
      const re = new RegExp(`^<iframe src="http://127\\.0\\.0\\.1:\\d+/some/sub-path/#v1\\.[A-Za-z0-9_-]+&amp;embed=1&amp;view=${v}${kind ? `&amp;kind=${kind}` : ''}&amp;id=(sgn-lab-${v}-[0-9a-f]{6})" data-sgn-lab="\\1" title="sgn-lab: [^"]+" width="100%" height="${h}" `);
      assert.match(snippets[i], re, snippets[i]);
      assert.match(snippets[i], /<script>\n\(function \(o\) \{[\s\S]*\}\)\("http:\/\/127\.0\.0\.1:\d+"\);\n<\/script>$/);
    });
    // The author's preview at 560 px: the embed itself, sized by its own height messages.
    await page.getByTestId('embed-width').selectOption('560');
    await page.getByTestId('embed-preview-open').click();
    const preview = page.frameLocator('[data-testid="embed-preview-frame"]');
    await preview.getByTestId('embed-run').waitFor();
    await page.waitForFunction(() => {
      const f = document.querySelector('[data-testid="embed-preview-frame"]');
      return f.style.width === '560px' && f.style.height !== '1200px'
        && Math.abs(f.getBoundingClientRect().height - f.contentDocument.documentElement.getBoundingClientRect().height) <= 1;
    }, null, { timeout: 30_000 });
    await page.getByTestId('embed-preview').screenshot({ path: screenshotPath('embed-preview-560.png') });
    const serve0 = server.served.length;

    // The reader: the post on another origin; a fourth iframe from the blog's own origin posts
    // a well-formed height message with its own id (only its origin is wrong).
    const forger = '<iframe data-sgn-lab="forger" src="/forger.html" height="120" style="border:0"></iframe>';
    blog = await serveBlog((u) => (u === '/forger.html'
      ? '<!doctype html><link rel="icon" href="data:,"><p>forger</p><script>setInterval(function(){parent.postMessage({type:"sgn-lab:height",id:"forger",height:3333},"*")},50)</script>'
      : u === '/post.html' ? post([...snippets, forger]) : null));
    await context.addInitScript(COUNT_WORKERS);
    await page.goto(blog.url);
    const frames = await embeds(page);
    assert.equal(frames.length, 3);
    for (const e of frames) {
      await e.el.scrollIntoViewIfNeeded();
      await e.frame.waitForFunction(() => {
        const p = document.querySelector('[data-testid="embed-poster"]');
        const img = document.querySelector('[data-testid="embed-poster-img"]');
        return p && !p.hidden && img && img.complete && img.naturalWidth > 0;
      }, null, { timeout: 60_000 });
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    await sleep(1500);
    for (const e of frames) {
      const s = await e.frame.evaluate(() => ({
        workers: window.__workers,
        run: getComputedStyle(document.querySelector('[data-testid="embed-run"]')).display !== 'none',
        text: document.querySelector('[data-testid="embed-run"]').textContent,
        chart: document.querySelector('[data-testid="loss-chart"]').getClientRects().length,
      }));
      assert.deepEqual(s, { workers: 0, run: true, text: 'Run this', chart: 0 }, `${e.id} before Run`);
      const h = await sized(page, e);
      assert.ok(h.outer >= h.content && h.scroll <= h.viewport, `${e.id} poster fully visible: ${JSON.stringify(h)}`);
    }
    assert.deepEqual(engineRequests(server.served.slice(serve0)), [], 'no worker script or dataset before a click');
    await fullShot(page, 'embed-blog-posters.png');

    // Forged messages: from the blog's origin (the forger), and from the lab's origin with the
    // wrong shape, another embed's id, or a well-formed message about another iframe.
    const before = await Promise.all(frames.map((e) => e.el.evaluate((f) => f.style.height)));
    await frames[0].frame.evaluate(([other]) => {
      for (const m of [{ type: 'sgn-lab:height', id: document.location.hash.match(/id=([^&]+)/)[1], height: '4444' },
        { type: 'sgn-lab:size', id: 'x', height: 4444 }, { type: 'sgn-lab:height', height: 4444 },
        { type: 'sgn-lab:height', id: other, height: 4444 }, { type: 'sgn-lab:height', id: other, height: -5 }, 'sgn-lab:height 4444']) {
        parent.postMessage(m, '*');
      }
    }, [frames[1].id]);
    await sleep(800);
    assert.deepEqual(await Promise.all(frames.map((e) => e.el.evaluate((f) => f.style.height))), before, 'forged messages moved an embed');
    const forgerHeight = await page.locator('iframe[data-sgn-lab="forger"]').evaluate((f) => [f.style.height, f.getBoundingClientRect().height]);
    assert.deepEqual(forgerHeight, ['', 120], 'a message from another origin resized an iframe');

    // Run each, one after the other: only the clicked embed starts an engine.
    const measured = [];
    for (const [k, e] of frames.entries()) {
      await e.el.scrollIntoViewIfNeeded();
      await e.frame.getByTestId('embed-run').click();
      await e.frame.waitForFunction(() => window.__workers === 1, null, { timeout: 10_000 });
      for (const other of frames.slice(k + 1)) assert.equal(await other.frame.evaluate(() => window.__workers), 0, `${other.id} started with ${e.id}`);
      const v = views[k][0];
      if (v === 'train') {
        await e.frame.waitForFunction(() => /^Finished/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 120_000 });
        assert.ok((await canvasInk(e.frame, 'loss-chart')).ink > 2000, 'the training chart is drawn');
        assert.doesNotMatch(await e.frame.getByTestId('model-desc').textContent(), /MiB|cap/, 'no memory cap for a reader');
        assert.match(await e.frame.getByTestId('model-desc').textContent(), /parameters/);
      } else {
        await e.frame.waitForFunction(() => /^Measured/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 240_000 });
        // Charts are drawn one per animation frame, which browsers pause in an iframe out of view.
        await e.el.scrollIntoViewIfNeeded();
        await e.frame.waitForFunction(() => document.querySelector('[data-testid="structure-body"]').getAttribute('aria-busy') === 'false', null, { timeout: 60_000 });
      }
      if (v === 'tails') {
        assert.match(await e.frame.getByTestId('verdict-dim-g').textContent(), /power law/);
        assert.equal(await e.frame.getByTestId('fig-dim-g').isVisible(), true);
        for (const other of ['dim-sgn', 'iter-g', 'iter-sgn']) assert.equal(await e.frame.getByTestId(`fig-${other}`).isVisible(), false, `${other} hidden (kind=dim-g)`);
        assert.equal(await e.frame.getByTestId('table-a').isVisible(), false);
      }
      if (v === 'spectrum') {
        assert.equal(await e.frame.getByTestId('table-b').isVisible(), true);
        assert.match(await e.frame.getByTestId('spectrum-verdict').textContent(), /^Covariance spectrum: (power law|not a power law)/);
        assert.ok((await canvasInk(e.frame, 'rank-plot')).ink > 2000, 'the rank plot is drawn');
        assert.equal(await e.frame.getByTestId('tails').isVisible(), false);
      }
      for (const id of ['settings', 'seed', 'tail-rule', 'upload', 'copy-embed', 'tour']) assert.equal(await e.frame.getByTestId(id).isVisible(), false, `${id} hidden in ${v}`);
      assert.match(await e.frame.evaluate(() => location.hash), new RegExp(`&embed=1&view=${v}.*&id=${e.id}$`), 'the embed keeps its flags in its own link');
      assert.match(await e.frame.getByTestId('open-full').getAttribute('href'), /\/some\/sub-path\/#v1\.[A-Za-z0-9_-]+$/, 'open in the lab: the same link without the embed flags');
      const h = await sized(page, e);
      measured.push({ view: v, ...h });
      assert.ok(h.outer >= h.content, `${v}: iframe ${h.outer} px < content ${h.content} px`);
      assert.ok(h.scroll <= h.viewport, `${v}: the embed scrolls inside (${h.scroll} > ${h.viewport})`);
      assert.ok(h.content <= views[k][2], `${v}: content ${h.content} px over the fallback height ${views[k][2]}`);
    }
    console.log(`embed heights after Run in a 760 px column: ${JSON.stringify(measured)}`);
    // One engine per embed; the two that measured also started the chart worker (www/offthread.js:
    // their charts are drawn off the main thread). No pool: their bootstraps are too small for one.
    assert.deepEqual(await Promise.all(frames.map((e) => e.frame.evaluate(() => window.__workers))), [1, 2, 2]);
    await fullShot(page, 'embed-blog.png');
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    const foreign = await close({ expectForeign: true });
    assert.deepEqual(foreign.filter((u) => !u.startsWith(blog?.origin + '/')), [], 'only the blog and the lab were asked');
    await blog?.close();
  }
});

test('start when visible: two embeds in view start one after the other; reduced motion waits for a click', { timeout: 240_000 }, async () => {
  const { page, context, close, log } = await launch({ origin: server.origin, viewport: { width: 900, height: 1400 }, deviceScaleFactor: 1 });
  let blog;
  try {
    await page.goto(server.base + '#seed=3&data=digits&epochs=1');
    await ready(page);
    await page.getByTestId('embed-view').selectOption('train');
    await page.getByTestId('embed-visible').check();
    const snippets = [];
    for (let i = 0; i < 2; i++) {
      await page.getByTestId('copy-embed').click();
      snippets.push(await page.getByTestId('share-code').inputValue());
    }
    assert.match(snippets[0], /&amp;start=visible&amp;id=/);
    blog = await serveBlog((u) => (u === '/post.html' ? post(snippets) : null));
    await context.addInitScript(COUNT_WORKERS);
    await page.goto(blog.url);
    const frames = await embeds(page);
    // Sample both embeds until both finished: never two trainings at once.
    const seen = [];
    for (let i = 0; i < 600; i++) {
      const s = await Promise.all(frames.map((e) => e.frame.evaluate(() => ({
        workers: window.__workers || 0, status: document.querySelector('[data-testid="status"]').textContent,
      })).catch(() => ({ workers: 0, status: '' }))));
      seen.push(s);
      if (s.every((x) => /^Finished/.test(x.status))) break;
      await sleep(100);
    }
    assert.ok(seen.at(-1).every((x) => /^Finished/.test(x.status)), `both ran: ${JSON.stringify(seen.at(-1))}`);
    const both = seen.filter((s) => s.every((x) => x.workers > 0 && /^Training/.test(x.status)));
    assert.deepEqual(both, [], 'two embeds trained at once');
    assert.ok(seen.some((s) => s.filter((x) => x.workers > 0).length === 1), 'one started before the other');

    // Reduced motion: the reader's setting wins over the author's; the poster waits for a click.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.reload();
    const [first] = await embeds(page);
    await first.frame.waitForFunction(() => !document.querySelector('[data-testid="embed-poster"]').hidden, null, { timeout: 30_000 });
    await sleep(2000);
    assert.equal(await first.frame.evaluate(() => window.__workers), 0, 'started without a click under reduced motion');
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close({ expectForeign: true });
    await blog?.close();
  }
});

test('an old &embed=1 link opens the lab view: poster, then the run controls, chart and measurement', { timeout: 240_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin, viewport: { width: 760, height: 900 }, deviceScaleFactor: 1 });
  try {
    await page.goto(server.base + '#seed=8&data=digits&epochs=1&embed=1');
    await page.getByTestId('embed-poster').waitFor();
    assert.equal(await page.evaluate(() => document.body.dataset.view), 'lab');
    assert.equal(await page.getByTestId('play').isVisible(), false, 'nothing but the poster before Run');
    await page.getByTestId('embed-run').click();
    await ready(page);
    for (const id of [...ALL, 'settings', 'copy-embed', 'tour-run']) assert.equal(await page.getByTestId(id).isVisible(), false, `${id} hidden in the embed`);
    for (const id of ['play', 'step', 'reset', 'loss-chart', 'status', 'measure', 'data-desc', 'open-full']) assert.equal(await page.getByTestId(id).isVisible(), true, `${id} shown`);
    assert.equal(await page.getByTestId('seed').inputValue(), '8', 'the embed runs the same seed');
    await page.waitForFunction(() => /^Finished/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 120_000 });
    await page.getByTestId('measure').click();
    await page.waitForFunction(() => /^Measured/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 180_000 });
    assert.equal(await page.getByTestId('table-a').isVisible(), true, 'Table A (the verdicts) shown');
    await page.screenshot({ path: screenshotPath('embed-lab-view.png'), fullPage: true });
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
