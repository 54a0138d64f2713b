// The cross-engine suite: what a class does with the lab, in Firefox ESR and WebKitGTK (the
// engine of every iPad browser), through one driver (./driver.mjs). Chromium runs the full suite
// (tests/e2e/*.test.mjs); loading, training to the end and measuring run in all three engines in
// ./determinism.test.mjs, which also checks the numbers byte for byte. Here, per engine:
//   the paper tour's first step, an upload (and a bad file), offline reload after one visit,
//   and (where a script can run before the page's) the message a browser without wasm SIMD gets.
//   The embeds on a blog page, one per view, are ./embed.test.mjs.
// `E2E_ENGINES=webkit node --test tests/e2e/engines/` runs one engine.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, screenshotPath } from '../harness.mjs';
import { openTab, enginesUnderTest } from './driver.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

async function ready(tab) {
  await tab.until(() => (!document.querySelector('[data-testid="play"]').disabled && /^Ready/.test(document.querySelector('[data-testid="status"]').textContent))
    || document.querySelector('[data-testid="status"]').classList.contains('bad'), null, { what: 'the run to be ready' });
  const state = await tab.run(() => [...['status', 'fatal-error', 'data-desc'].map((id) => document.querySelector(`[data-testid="${id}"]`).textContent), document.readyState, location.href]);
  assert.equal(await tab.run(() => document.querySelector('[data-testid="play"]').disabled), false, `not ready: ${JSON.stringify(state)}`);
}
const statusOk = async (tab) => assert.doesNotMatch(await tab.text('status'), /error|crash|could not/i);

/** Opens a fresh browser, runs `body(tab)`, checks no console error, closes (which checks privacy). */
async function withTab(engine, body, options = {}) {
  const tab = await openTab(engine, { origin: server.origin, ...options });
  try {
    await body(tab);
    assert.deepEqual(await tab.errors(), [], `${engine}: console errors`);
    // Whatever reached the static server named the server's own origin.
    const host = new URL(server.origin).host;
    assert.deepEqual(server.served.filter((r) => r.host !== host), [], 'requests for another host reached the server');
    const requests = tab.requests();
    if (requests) assert.ok(requests.every((u) => u.startsWith(server.origin + '/') || /^(data|blob|about):/.test(u)), requests.join(' '));
  } finally {
    await tab.close();
  }
}

/** A seeded dump: 150 rows × 60 columns of Student-t₃-like values. */
function dump() {
  let s = 12345;
  const u = () => { s = (s * 1103515245 + 12345) % 2147483648; return (s + 0.5) / 2147483648; };
  const n = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const rows = [Array.from({ length: 60 }, (_, j) => `p${j}`).join(',')];
  for (let i = 0; i < 150; i++) rows.push(Array.from({ length: 60 }, () => (n() / Math.sqrt((n() ** 2 + n() ** 2 + n() ** 2) / 3)).toPrecision(6)).join(','));
  return rows.join('\n') + '\n';
}

for (const engine of enginesUnderTest()) {
  describe(engine, () => {
    test(`${engine}: the paper tour's first step runs, with its verdicts, tables and charts`, { timeout: 600_000 }, () => withTab(engine, async (tab) => {
      await tab.goto(server.base + '#seed=2');
      await ready(tab);
      assert.match(await tab.text('tour-pos'), /^1 \/ \d+$/);
      assert.match(await tab.text('tour-heading'), /Heavy tails/);
      await tab.click('tour-run');
      await tab.until(() => !document.querySelector('[data-testid="tour-result"]').hidden
        && document.querySelector('[data-testid="tour-charts"]').getAttribute('aria-busy') === 'false', null,
      { timeout: 540_000, interval: 500, what: 'the tour step' });
      const verdicts = await tab.text('tour-verdicts');
      assert.match(verdicts, /^(Agrees with the paper|Differs from the paper|Mixed|Not enough runs|Could not be tested)\./, verdicts);
      assert.match(await tab.text('tour-table-a'), /\d+ % \(\d+\/\d+\)/, 'Table A has rates');
      const charts = await tab.run(() => document.querySelectorAll('[data-testid^="tour-chart-"]').length);
      assert.ok(charts >= 1, `${charts} charts`);
      assert.ok(await tab.canvasInk('tour-chart-0') > 3000, 'the first chart is drawn');
      const { text } = await tab.download('tour-json');
      assert.equal(JSON.parse(text).preset, 'heavy-tails');
      await tab.run(() => document.querySelector('[data-testid="tour-verdicts"]').scrollIntoView());
      await tab.shot(screenshotPath(`engine-${engine}-tour.png`));
    }));

    test(`${engine}: a CSV dump is analysed in the page; a bad file is a readable error`, { timeout: 240_000 }, () => withTab(engine, async (tab) => {
      await tab.goto(server.base + '#seed=4&data=digits');
      await ready(tab);
      const served = server.served.length;
      await tab.upload('upload-file', 'grads.csv', dump());
      await tab.until(() => !document.querySelector('[data-testid="upload-body"]').hidden
        || document.querySelector('[data-testid="upload-status"]').classList.contains('bad'), null, { what: 'the analysis' });
      assert.match(await tab.text('upload-status'), /150 rows × 60 columns/);
      assert.match(await tab.text('upload-table'), /dimension-wise power-law rate.*\d+ % \(\d+\/150\)/s);
      assert.match(await tab.text('upload-table'), /covariance spectrum of the rows\s*rank \d+/);
      await tab.until(() => ['upload-ccdf', 'upload-hist', 'upload-rank'].every((id) => document.querySelector(`[data-testid="${id}"]`).dataset.series), null, { what: 'the charts' });
      for (const id of ['upload-ccdf', 'upload-hist', 'upload-rank']) assert.ok(await tab.canvasInk(id) > 3000, `${id} drawn`);
      const analysis = JSON.parse((await tab.download('upload-json')).text);
      assert.deepEqual([analysis.rows, analysis.cols], [150, 60]);
      await tab.run(() => document.querySelector('[data-testid="upload-table"]').scrollIntoView());
      await tab.shot(screenshotPath(`engine-${engine}-upload.png`));
      await tab.upload('upload-file', 'bad.csv', '1,2,3\n4,5\n');
      await tab.until(() => document.querySelector('[data-testid="upload-status"]').classList.contains('bad'), null, { what: 'the error' });
      assert.equal(await tab.text('upload-status'), 'bad.csv: line 2: row has 2 columns but the first row has 3');
      // The rest of the page still works, and no file went to the server.
      await tab.click('step');
      await tab.until(() => document.querySelector('[data-testid="r-step"]').textContent === '1');
      assert.equal(server.served.length, served, 'nothing reached the server while analysing the files');
    }));

    test(`${engine}: after one visit the page reloads, trains and draws with the server gone`, { timeout: 240_000 }, () => withTab(engine, async (tab) => {
      try {
        await tab.goto(server.base + '#seed=9&data=digits');
        await ready(tab);
        // The service worker has precached everything and is active; no second visit.
        await tab.until(() => navigator.serviceWorker.ready.then((reg) => reg.active && reg.active.state === 'activated'), null, { what: 'the service worker' });
        const cached = await tab.run(async () => {
          const names = await caches.keys();
          return names.length ? (await (await caches.open(names[0])).keys()).map((r) => new URL(r.url).pathname) : [];
        });
        assert.ok(cached.some((p) => p.endsWith('.wasm')) && cached.includes('/some/sub-path/assets/digits-8x8.bin.gz'), cached.join(' '));
        server.setOffline(true);
        await tab.reload();
        // (Firefox restores a reloaded page's button states unless told not to: Play must not
        // look enabled before the engine is ready.)
        assert.equal(await tab.run(() => document.querySelector('[data-testid="play"]').disabled
          || /^Ready/.test(document.querySelector('[data-testid="status"]').textContent)), true, 'Play enabled before the engine is ready');
        await ready(tab);
        assert.equal(await tab.run(() => navigator.serviceWorker.controller !== null), true, 'the page is served by its service worker');
        assert.match(await tab.text('data-desc'), /8×8 digits/);
        for (let i = 1; i <= 3; i++) {
          await tab.click('step');
          await tab.until((k) => document.querySelector('[data-testid="r-step"]').textContent === String(k), i);
        }
        await tab.until(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))));
        assert.ok(await tab.canvasInk('loss-chart') > 500, 'the training chart draws offline');
        await statusOk(tab);
      } finally {
        server.setOffline(false);
      }
    }));
  });
}

// A browser that lacks what the build needs gets a message, not a blank page (www/bootstrap.js).
// The feature is stubbed away by a script that runs before the page's own: Chromium and Firefox
// (classic WebDriver cannot run one first, so not WebKit).
for (const engine of ['chromium', ...enginesUnderTest().filter((e) => e !== 'webkit')]) {
  test(`${engine}: without wasm SIMD the page says what is missing instead of a blank page`, { timeout: 120_000 }, () => withTab(engine, async (tab) => {
    await tab.preload(() => {
      const validate = WebAssembly.validate.bind(WebAssembly);
      // Only modules with SIMD opcodes (prefix 0xfd) are refused: this engine "has no SIMD".
      WebAssembly.validate = (bytes) => !new Uint8Array(bytes.buffer || bytes).includes(0xfd) && validate(bytes);
    });
    await tab.goto(server.base + '#seed=1');
    await tab.until(() => !document.querySelector('[data-testid="fatal-error"]').hidden, null, { what: 'the message' });
    assert.match(await tab.text('fatal-error'), /cannot run in this browser: it lacks WebAssembly SIMD\. .*Safari 16\.4/);
    assert.match(await tab.text('status'), /cannot run in this browser/);
    assert.equal(await tab.run(() => document.querySelector('[data-testid="play"]').disabled), true);
    assert.ok(!(tab.requests() || []).some((u) => u.endsWith('.wasm')), 'the engine was not even fetched');
    await tab.shot(screenshotPath(`engine-${engine}-no-simd.png`));
  }));
}

test('chromium: without Web Workers and BigInt the message names both', { timeout: 120_000 }, () => withTab('chromium', async (tab) => {
  await tab.preload(() => { delete window.Worker; delete window.BigInt; });
  await tab.goto(server.base + '#seed=1');
  await tab.until(() => !document.querySelector('[data-testid="fatal-error"]').hidden, null, { what: 'the message' });
  assert.match(await tab.text('fatal-error'), /it lacks BigInt, Web Workers\./);
}));
