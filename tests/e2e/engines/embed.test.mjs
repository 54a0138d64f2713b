// The embeds in Firefox ESR and WebKitGTK (issue #20): a blog post on a second loopback origin
// (`localhost`; the lab is on 127.0.0.1) with one embed of each view — the training run, one tail
// sample, the spectrum and a tour step (one replicate) — pasted as "Copy embed code" wrote them.
// Each shows its poster and starts no worker until its "Run this" (the lab server's log: no
// request for the worker's script or a dataset before the click), runs, and is then as tall as
// its content (the snippet's script followed the page's height messages); an iframe of the blog's
// own origin posting a well-formed height message is left alone (wrong origin).
// Chromium runs the same and more in tests/e2e/embed.test.mjs.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, screenshotPath } from '../harness.mjs';
import { serveBlog, post, engineRequests } from '../blog.mjs';
import { openTab, enginesUnderTest } from './driver.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

const VIEWS = [
  { view: 'train', done: 'train' },
  { view: 'tails', kind: 'iter-g', done: 'measure' },
  { view: 'spectrum', done: 'measure' },
  { view: 'tour', done: 'tour' },
];
const FORGER = '<iframe data-sgn-lab="forger" src="/forger.html" height="120" style="border:0"></iframe>';
const FORGER_PAGE = '<!doctype html><link rel="icon" href="data:,"><p>forger</p><script>setInterval(function(){parent.postMessage({type:"sgn-lab:height",id:"forger",height:3333},"*")},50)</script>';

for (const engine of enginesUnderTest()) {
  describe(engine, () => {
    test(`${engine}: each view embeds in a blog on another origin, waits for Run, runs and sizes itself`, { timeout: 900_000 }, async () => {
      const tab = await openTab(engine, { origin: server.origin, viewport: { width: 1000, height: 900 } });
      let blog;
      try {
        await tab.goto(server.base + '#seed=8&data=digits&epochs=1&replicates=1');
        await tab.until(() => !document.querySelector('[data-testid="play"]').disabled, null, { what: 'the lab' });
        for (const v of VIEWS) {
          await tab.select('embed-view', v.view);
          if (v.kind) await tab.select('embed-kind', v.kind);
          await tab.click('copy-embed');
          v.snippet = await tab.run(() => document.querySelector('[data-testid="share-code"]').value);
          v.id = v.snippet.match(/data-sgn-lab="([^"]+)"/)[1];
          assert.match(v.snippet, new RegExp(`&amp;view=${v.view}${v.kind ? `&amp;kind=${v.kind}` : ''}&amp;`));
        }
        const served0 = server.served.length;
        blog = await serveBlog((u) => ({ '/post.html': post([...VIEWS.map((v) => v.snippet), FORGER]), '/forger.html': FORGER_PAGE }[u] ?? null));
        await tab.goto(blog.url);
        // Every poster first (each iframe scrolled into view: they load lazily): no engine yet.
        for (const v of VIEWS) {
          const css = `iframe[data-sgn-lab="${v.id}"]`;
          await tab.run((c) => document.querySelector(c).scrollIntoView({ block: 'start' }), css);
          await tab.enterFrame(css);
          await tab.until((poster) => {
            const p = document.querySelector('[data-testid="embed-poster"]');
            const img = document.querySelector('[data-testid="embed-poster-img"]');
            return p && !p.hidden && (!poster || (img && img.complete && img.naturalWidth > 0));
          }, v.view !== 'tour', { what: `the ${v.view} poster` });
          assert.equal(await tab.visible('play'), false);
          await tab.leaveFrame();
        }
        await new Promise((r) => setTimeout(r, 1000));
        assert.deepEqual(engineRequests(server.served.slice(served0)), [], 'an engine started before a click');
        const heights = [];
        for (const v of VIEWS) {
          const css = `iframe[data-sgn-lab="${v.id}"]`;
          await tab.run((c) => document.querySelector(c).scrollIntoView({ block: 'start' }), css);
          await tab.enterFrame(css);
          await tab.click('embed-run');
          const what = `the ${v.view} run`;
          if (v.done === 'train') {
            await tab.until(() => /^Finished/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 120_000, what });
            assert.ok(await tab.canvasInk('loss-chart') > 2000, 'the training chart is drawn');
            assert.doesNotMatch(await tab.text('model-desc'), /MiB|cap/);
          } else if (v.done === 'measure') {
            await tab.until(() => /^Measured/.test(document.querySelector('[data-testid="status"]').textContent)
              && document.querySelector('[data-testid="structure-body"]').getAttribute('aria-busy') === 'false', null, { timeout: 300_000, what });
          } else {
            await tab.until(() => !document.querySelector('[data-testid="tour-result"]').hidden
              && document.querySelector('[data-testid="tour-charts"]').getAttribute('aria-busy') === 'false', null, { timeout: 600_000, interval: 500, what });
            assert.match(await tab.text('tour-verdicts'), /^(Agrees with the paper|Differs from the paper|Mixed|Not enough runs|Could not be tested)\./);
          }
          if (v.view === 'tails') {
            assert.match(await tab.text('verdict-iter-g'), /power law/);
            assert.equal(await tab.visible('fig-dim-g'), false, 'one kind only');
          }
          if (v.view === 'spectrum') {
            assert.equal(await tab.visible('table-b'), true);
            assert.match(await tab.text('spectrum-verdict'), /^Covariance spectrum: (power law|not a power law)/);
          }
          const content = () => tab.run(() => [Math.ceil(document.documentElement.getBoundingClientRect().height), document.scrollingElement.scrollHeight, innerHeight]);
          let h;
          for (let i = 0; i < 50; i++) {
            const [c, scroll, inner] = await content();
            await tab.leaveFrame();
            const outer = await tab.run((x) => document.querySelector(x).getBoundingClientRect().height, css);
            h = { view: v.view, content: c, scroll, inner, outer };
            if (Math.abs(outer - c) <= 1 && scroll <= inner) break;
            await tab.enterFrame(css);
            await new Promise((r) => setTimeout(r, 100));
          }
          heights.push(h);
          assert.ok(h.outer >= h.content && h.scroll <= h.inner, `${v.view} not sized to its content: ${JSON.stringify(h)}`);
        }
        console.log(`${engine}: embed heights after Run: ${JSON.stringify(heights)}`);
        assert.equal(await tab.run(() => document.querySelector('iframe[data-sgn-lab="forger"]').getBoundingClientRect().height), 120, 'a message from another origin resized an iframe');
        await tab.run(() => window.scrollTo(0, 0));
        await tab.shot(screenshotPath(`engine-${engine}-embed-blog.png`));
        assert.deepEqual(await tab.errors(), [], `${engine}: console errors`);
      } finally {
        // The blog's own requests are the test's, not the lab's.
        if (tab.log?.foreignRequests && blog) {
          const keep = tab.log.foreignRequests.filter((u) => !u.startsWith(`${blog.origin}/`));
          tab.log.foreignRequests.splice(0, Infinity, ...keep);
        }
        await tab.close();
        await blog?.close();
      }
    });
  });
}
