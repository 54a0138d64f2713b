// End-to-end reliability (docs/RELIABILITY.md): cancelling a long job, a real wasm panic in the
// engine, and a soak of many consecutive experiments in one page.
//  - Cancel: a measurement is one synchronous wasm call, so the page replaces the worker; the run
//    must come back at the same step with bit-identical weights (checked by the next step's loss
//    against a fresh run of the same seed).
//  - Crash: a Rust panic in the worker is reported, the worker is replaced, the settings are kept
//    and the run is restored the same way.
//  - Memory: a configuration above its memory cap is refused before anything is allocated, with
//    the estimate and the limit stated; the next configuration runs.
//  - Safety: the Content-Security-Policy blocks inline script, and hostile file names and file
//    contents are shown as text, never parsed as HTML (no innerHTML anywhere in www/).
//  - Soak: SOAK_RUNS (default 50) experiments in a row (every 10th on MNIST); the engine's live
//    bytes (a counting allocator) must come back to their baseline for each dataset, and its
//    wasm memory (a high-water mark) and the page's JS heap (after a forced GC) stop growing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launch, screenshotPath, ROOT, SECURITY_HEADERS, takeUnclaimedForeign } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

const status = (page) => page.getByTestId('status').textContent();

async function ready(page) {
  await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 90_000 });
}

async function stepTo(page, n) {
  const now = Number(await page.getByTestId('r-step').textContent());
  for (let i = now + 1; i <= n; i++) {
    await page.getByTestId('step').click();
    await page.waitForFunction((k) => document.querySelector('[data-testid="r-step"]').textContent === String(k), i);
  }
  return page.getByTestId('r-loss').textContent();
}

/** The loss shown after `n` steps of a fresh run of the same settings (Reset rebuilds it). */
async function freshLossAt(page, n) {
  await page.getByTestId('reset').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="r-step"]').textContent === '0');
  await ready(page);
  return stepTo(page, n);
}

test('cancel a running measurement: the run comes back at the same step, same weights', { timeout: 240_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=31');
    await ready(page);
    await stepTo(page, 3);
    // Clauset's rule with its 1000-replicate bootstrap: several seconds of one wasm call.
    await page.getByTestId('tail-rule').selectOption('clauset');
    await page.getByTestId('measure').click();
    await page.getByTestId('measure-cancel').waitFor({ state: 'visible' });
    await page.waitForFunction(() => document.querySelector('[data-testid="measure-progress"]').value > 0, null, { timeout: 60_000 });
    const t0 = Date.now();
    await page.getByTestId('measure-cancel').click();
    await page.waitForFunction(() => /Back at step 3/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 90_000 });
    const restoredIn = Date.now() - t0;
    assert.match(await status(page), /^Measurement cancelled\. Back at step 3\.$/);
    assert.equal(await page.getByTestId('status').evaluate((e) => e.classList.contains('bad')), false, 'a cancel is not an error');
    assert.equal(await page.getByTestId('measure-cancel').isVisible(), false);
    assert.equal(await page.getByTestId('seed').inputValue(), '31');
    assert.equal(await page.getByTestId('tail-rule').inputValue(), 'clauset', 'the settings are kept');
    const afterCancel = await stepTo(page, 4);
    assert.equal(await freshLossAt(page, 4), afterCancel, 'the replayed run is the same run');
    assert.deepEqual(log.consoleErrors, []);
    console.log(`# cancel → back at step 3 in ${restoredIn} ms`);
  } finally {
    await close();
  }
});

test('cancel a running upload analysis: the page and the run go on', { timeout: 180_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=33&data=digits');
    await ready(page);
    await stepTo(page, 2);
    // A 2000 × 3000 float32 .npy (24 MB): its 2000² Gram and eigensolver take seconds.
    const [rows, cols] = [2000, 3000];
    const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
    const pad = 64 - ((10 + header.length + 1) % 64);
    const head = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0]),
      Buffer.from(Uint16Array.of(header.length + pad + 1).buffer), Buffer.from(header + ' '.repeat(pad) + '\n')]);
    const data = new Float32Array(rows * cols);
    let s = 7;
    for (let i = 0; i < data.length; i++) { s = (s * 1103515245 + 12345) % 2 ** 31; data[i] = s / 2 ** 31 - 0.5; }
    await page.getByTestId('upload-file').setInputFiles({ name: 'big.npy', mimeType: 'application/octet-stream', buffer: Buffer.concat([head, Buffer.from(data.buffer)]) });
    await page.getByTestId('upload-cancel').waitFor({ state: 'visible' });
    await page.getByTestId('upload-cancel').click();
    await page.waitForFunction(() => /Back at step 2/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 60_000 });
    assert.equal(await page.getByTestId('upload-status').textContent(), 'Analysis cancelled.');
    assert.equal(await page.getByTestId('upload-cancel').isVisible(), false);
    assert.equal(await page.getByTestId('upload-body').isVisible(), false, 'no half-made analysis is shown');
    await stepTo(page, 3);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});

test('a wasm panic is reported, the engine restarted, the settings and the run kept', { timeout: 180_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=32&data=digits&lr=0.03');
    await ready(page);
    await stepTo(page, 5);
    await page.evaluate(() => window.sgnLab.crashEngine());
    await page.waitForFunction(() => /Back at step 5/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 60_000 });
    const text = await status(page);
    assert.match(text, /^The engine crashed \(.*unreachable.*\) and was restarted with your settings\. Back at step 5\.$/, text);
    assert.equal(await page.getByTestId('status').evaluate((e) => e.classList.contains('bad')), true);
    assert.equal(await page.getByTestId('set-data').inputValue(), 'digits');
    assert.equal(await page.getByTestId('set-lr').inputValue(), '0.03');
    assert.equal(await page.getByTestId('seed').inputValue(), '32');
    await page.screenshot({ path: screenshotPath('crash-recovered.png') });
    const afterCrash = await stepTo(page, 6);
    assert.equal(await freshLossAt(page, 6), afterCrash, 'the restored run is the same run');
    // The only console errors are the panic's own report (console_error_panic_hook).
    assert.ok(log.consoleErrors.every((e) => /deliberate panic|unreachable/.test(e)), log.consoleErrors.join('\n'));
  } finally {
    await close();
  }
});

test('a crash during Play: the run is restored at the step it reached, paused', { timeout: 180_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=34&data=digits&lr=0.03');
    await ready(page);
    await page.getByTestId('play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="r-step"]').textContent) >= 20, null, { timeout: 60_000 });
    await page.evaluate(() => window.sgnLab.crashEngine());
    await page.waitForFunction(() => /Back at step \d+/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 60_000 });
    const text = await status(page);
    const n = Number(/Back at step (\d+)\.$/.exec(text)[1]);
    assert.match(text, /^The engine crashed \(.*unreachable.*\) and was restarted with your settings\. Back at step \d+\.$/, text);
    assert.ok(n >= 20, `restored at step ${n}`);
    assert.equal(await page.getByTestId('r-step').textContent(), String(n), 'the counter matches the restored step');
    assert.equal(await page.getByTestId('play').textContent(), 'Play', 'paused after the restore');
    assert.equal(await page.getByTestId('play').getAttribute('aria-pressed'), 'false');
    // The chart keeps the curve: one loss per step, indices 0…n − 1, all finite.
    const chart = await page.evaluate(() => window.sgnLab.history());
    assert.deepEqual(chart.step, Array.from({ length: n }, (_, k) => k));
    assert.ok(chart.loss.every(Number.isFinite));
    const afterCrash = await stepTo(page, n + 1);
    assert.equal(await freshLossAt(page, n + 1), afterCrash, 'the restored run is the same run');
    assert.ok(log.consoleErrors.every((e) => /deliberate panic|unreachable/.test(e)), log.consoleErrors.join('\n'));
  } finally {
    await close();
  }
});

test('the worker\'s error event: the engine is restarted and the run restored', { timeout: 180_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=35&data=digits');
    await ready(page);
    await stepTo(page, 4);
    await page.evaluate(() => window.sgnLab.failWorker());
    await page.waitForFunction(() => /Back at step 4/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 60_000 });
    const text = await status(page);
    assert.match(text, /^The engine stopped \(.*deliberate worker error\) and was restarted with your settings\. Back at step 4\.$/, text);
    assert.equal(await page.getByTestId('status').evaluate((e) => e.classList.contains('bad')), true);
    await stepTo(page, 5);
    assert.ok(log.consoleErrors.every((e) => /deliberate worker error/.test(e)), log.consoleErrors.join('\n'));
  } finally {
    await close();
  }
});

test('a crash loop: the third crash within 30 s leaves the engine idle with a Try again button', { timeout: 180_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=36&data=digits&lr=0.03');
    await ready(page);
    await stepTo(page, 2);
    for (let k = 1; k <= 2; k++) {
      await page.evaluate(() => window.sgnLab.crashEngine());
      await page.waitForFunction(() => /^The engine crashed/.test(document.querySelector('[data-testid="status"]').textContent)
        && !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
      assert.equal(await page.getByTestId('retry').isVisible(), false, `crash ${k}: restarted, no Try again`);
    }
    await page.evaluate(() => window.sgnLab.crashEngine());
    await page.getByTestId('retry').waitFor({ state: 'visible', timeout: 60_000 });
    const text = await status(page);
    assert.match(text, /^The engine crashed \(.*unreachable.*\) and was restarted with your settings\. That is 3 crashes within 30 s, so it was left idle: your settings are kept\. Press Try again, or change a setting\.$/, text);
    // Idle: nothing is started (no ready, no replay), so a config that traps in start cannot loop.
    await page.waitForTimeout(3000);
    assert.equal(await status(page), text, 'the status stays: no respawn loop');
    for (const id of ['play', 'step', 'reset', 'measure']) assert.equal(await page.getByTestId(id).isDisabled(), true, `${id} disabled`);
    assert.equal(await page.getByTestId('seed').inputValue(), '36');
    assert.equal(await page.getByTestId('set-lr').inputValue(), '0.03');
    assert.equal(await page.getByTestId('r-step').textContent(), '2', 'the chart and counters stay');
    await page.screenshot({ path: screenshotPath('crash-loop.png') });
    await page.getByTestId('retry').click();
    await ready(page);
    assert.equal(await page.getByTestId('retry').isVisible(), false);
    assert.match(await status(page), /^Ready: seed 36\./);
    await stepTo(page, 1);
    assert.ok(log.consoleErrors.every((e) => /deliberate panic|unreachable/.test(e)), log.consoleErrors.join('\n'));
  } finally {
    await close();
  }
});

test('a config above the memory cap is refused before allocation, with the limit stated', { timeout: 120_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(`${server.base}#v1.eyJtZW1vcnlfY2FwIjo4Mzg4NjA4MH0`); // {"memory_cap": 80 MiB}: the MNIST run needs more
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').classList.contains('bad'), null, { timeout: 60_000 });
    assert.match(await status(page), /would need about \d+ bytes \(\d+ MiB\), above the cap of 83886080 bytes \(80 MiB\)/);
    assert.equal(await page.getByTestId('play').isDisabled(), true);
    await page.getByTestId('set-data').selectOption('digits'); // the 8×8-digits run fits in 80 MiB
    await ready(page);
    assert.match(await status(page), /^Ready/);
    await stepTo(page, 1);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});

test('the CSP blocks inline script; hostile file names and contents stay text', { timeout: 120_000 }, async () => {
  for (const f of fs.readdirSync(path.join(ROOT, 'www')).filter((x) => x.endsWith('.js'))) {
    const src = fs.readFileSync(path.join(ROOT, 'www', f), 'utf8').replace(/\/\/.*$/gm, '');
    assert.doesNotMatch(src, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/, `www/${f} builds HTML from strings`);
  }
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=4&data=digits');
    await ready(page);
    const blocked = await page.evaluate(() => new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true });
      const s = document.createElement('script');
      s.textContent = 'window.pwned = "inline script ran"';
      document.body.append(s);
      setTimeout(() => resolve(window.pwned || 'no violation reported'), 2000);
    }));
    assert.match(blocked, /^script-src/, `inline script: ${blocked}`);

    const hostile = '<img src=x onerror="window.pwned=1">';
    const imgsBefore = await page.evaluate(() => document.querySelectorAll('img').length);
    await page.getByTestId('upload-file').setInputFiles({ name: `${hostile}.csv`, mimeType: 'text/csv', buffer: Buffer.from(`1,2\n${hostile},3\n`) });
    await page.waitForFunction(() => document.querySelector('[data-testid="upload-status"]').classList.contains('bad'), null, { timeout: 30_000 });
    const shown = await page.getByTestId('upload-status').textContent();
    assert.ok(shown.startsWith(`${hostile}.csv: `), shown);
    const [imgs, pwned] = await page.evaluate(() => [document.querySelectorAll('img').length, window.pwned ?? null]);
    assert.equal(pwned, null, 'no injected handler ran');
    assert.equal(imgs, imgsBefore, 'no element was made from the file');
    assert.deepEqual(log.consoleErrors.filter((e) => !/Content Security Policy/.test(e)), []);
  } finally {
    await close();
  }
});

/** Tries a fetch to another origin from the page, the engine worker and the service worker;
 * each resolves to 'sent' or 'blocked: …' (with the CSP directive when one was reported). */
async function tryForeign(page, context, tag) {
  const attempt = (url) => new Promise((resolve) => {
    let directive = null;
    self.addEventListener('securitypolicyviolation', (e) => { directive = e.violatedDirective; });
    fetch(url, { mode: 'no-cors' }).then(() => resolve('sent'), (e) => setTimeout(() => resolve(`blocked: ${directive || e.message}`), 100));
  });
  await page.evaluate(() => navigator.serviceWorker.ready);
  const [engine] = page.workers();
  const [sw] = context.serviceWorkers();
  assert.ok(engine && sw, 'the engine worker and the service worker are running');
  return {
    page: await page.evaluate(attempt, `http://foreign.example/${tag}-page`),
    worker: await engine.evaluate(attempt, `http://foreign.example/${tag}-worker`),
    serviceWorker: await sw.evaluate(attempt, `http://foreign.example/${tag}-sw`),
  };
}

test('CSP as HTTP headers blocks a foreign fetch from the page, the engine worker and the service worker', { timeout: 120_000 }, async () => {
  const { context, page, log, close } = await launch({ origin: server.origin });
  try {
    const res = await page.goto(server.base + '#seed=5&data=digits');
    await ready(page);
    const csp = SECURITY_HEADERS['Content-Security-Policy'];
    assert.equal((await res.allHeaders())['content-security-policy'], csp);
    // Every response carries the headers: the worker's script, the wasm, the service worker, a 404.
    for (const f of ['sw.js', 'assets/wine.csv', 'no-such-file']) {
      const h = await page.evaluate(async (u) => { const r = await fetch(u); return [r.headers.get('content-security-policy'), r.headers.get('x-content-type-options')]; }, f);
      assert.deepEqual(h, [csp, 'nosniff'], f);
    }
    assert.equal(await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]').content), csp, 'the <meta> is the same policy');
    const r = await tryForeign(page, context, 'csp');
    assert.deepEqual(r, { page: 'blocked: connect-src', worker: 'blocked: connect-src', serviceWorker: 'blocked: connect-src' });
    assert.deepEqual(log.proxied.filter((u) => u.includes('foreign.example')), [], 'nothing reached the network');
  } finally {
    await close();
  }
});

test('the request recorder catches a foreign request from the page, the worker and the service worker', { timeout: 120_000 }, async () => {
  // A bare static host (no headers) and a page whose <meta> CSP is bypassed: nothing blocks.
  const bare = await serveDist({ headers: false });
  const { context, page, log, close } = await launch({ origin: bare.origin, contextOptions: { bypassCSP: true } });
  let closed = false;
  try {
    await page.goto(bare.base + '#seed=5&data=digits');
    await ready(page);
    const r = await tryForeign(page, context, 'bare');
    // The request was made (the recording proxy refused it, so the page sees a network error).
    for (const [who, v] of Object.entries(r)) assert.ok(v === 'sent' || /^blocked: (Failed to fetch|.*network)/i.test(v), `${who}: ${v}`);
    await page.waitForTimeout(200);
    for (const who of ['page', 'worker', 'sw']) assert.ok(log.proxied.includes(`http://foreign.example/bare-${who}`), `the ${who}'s request reached the (refusing) proxy`);
    closed = true;
    await assert.rejects(close(), /requests left the page's origin/, 'close() fails the test');
    const foreign = takeUnclaimedForeign();
    for (const who of ['page', 'worker', 'sw']) {
      assert.ok(foreign.includes(`http://foreign.example/bare-${who}`), `the ${who}'s request was recorded: ${foreign}`);
    }
  } finally {
    if (!closed) await close({ expectForeign: true });
    await bare.close();
  }
});

test('soak: many experiments in one page, memory stops growing and live bytes come back', { timeout: 900_000 }, async () => {
  const runs = Number(process.env.SOAK_RUNS || 50);
  const { page, log, close } = await launch({ origin: server.origin });
  const cdp = await page.context().newCDPSession(page);
  const jsHeap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  // Every 10th run (from run 1) is the default MNIST network, the largest the page offers by default.
  const dataOf = (i) => (i % 10 === 1 ? 'mnist' : ['digits', 'wine', 'mixture', 'cancer'][i % 4]);
  const hashOf = (i) => (dataOf(i) === 'mnist' ? `#seed=${100 + i}&epochs=1&bs=256` : `#seed=${100 + i}&data=${dataOf(i)}&epochs=1&bs=32`);
  const samples = [];
  /** Live engine bytes when a run of each dataset is ready (the previous run freed). A measurement
   * frees the product scratch it grew (each gradient pass owns a `nn::linalg::Workspace`), so MNIST's second run may
   * start at most 1 MiB above its first (small one-time caches; it was 118 MiB while the buffers
   * were kept); from run 11 on, each dataset's first value is its baseline (±64 KiB). */
  const liveBase = {};
  const liveDrift = [];
  const liveAt = {};
  try {
    await page.goto(server.base + '#seed=1&data=digits&epochs=1');
    await ready(page);
    const t0 = Date.now();
    for (let i = 1; i <= runs; i++) {
      const t1 = Date.now();
      await page.evaluate((h) => { location.hash = h; }, hashOf(i));
      await page.waitForFunction((s) => document.querySelector('[data-testid="seed"]').value === s
        && !document.querySelector('[data-testid="play"]').disabled, String(100 + i), { timeout: 60_000 });
      const { liveBytes } = await page.evaluate(() => window.sgnLab.engineStats());
      const d = dataOf(i);
      liveAt[i] = liveBytes;
      if (i > 10) {
        if (liveBase[d] === undefined) liveBase[d] = liveBytes;
        liveDrift.push({ run: i, data: d, drift: liveBytes - liveBase[d] });
      }
      await page.getByTestId('play').click();
      await page.waitForFunction(() => /^Finished/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 120_000 });
      await page.getByTestId('measure').click();
      await page.waitForFunction(() => /^Measured/.test(document.querySelector('[data-testid="status"]').textContent)
        || document.querySelector('[data-testid="status"]').classList.contains('bad'), null, { timeout: 180_000 });
      assert.match(await status(page), /^Measured/, `run ${i} (${d})`);
      if (d === 'mnist') console.log(`# soak: MNIST run ${i} took ${((Date.now() - t1) / 1000).toFixed(1)} s`);
      if (i % 10 === 0 || i === 1) {
        const { wasmBytes, liveBytes: live } = await page.evaluate(() => window.sgnLab.engineStats());
        samples.push({ run: i, wasmMiB: wasmBytes / 2 ** 20, liveMiB: live / 2 ** 20, jsMiB: (await jsHeap()) / 2 ** 20 });
      }
    }
    const seconds = (Date.now() - t0) / 1000;
    console.log(`# soak: ${runs} experiments in ${seconds.toFixed(0)} s`);
    for (const s of samples) console.log(`# run ${s.run}: wasm ${s.wasmMiB.toFixed(1)} MiB (high-water), live ${s.liveMiB.toFixed(2)} MiB, JS heap ${s.jsMiB.toFixed(2)} MiB`);
    console.log(`# live bytes at MNIST ready: run 1 ${liveAt[1]}, run 11 ${liveAt[11]} (kept scratch ${liveAt[11] - liveAt[1]} bytes); `
      + `baselines ${JSON.stringify(liveBase)}; largest drift ${Math.max(0, ...liveDrift.map((x) => Math.abs(x.drift)))} bytes`);
    assert.ok(runs < 20 || liveDrift.length >= runs - 10, 'live bytes checked from run 11 on');
    if (runs >= 11) assert.ok(liveAt[11] - liveAt[1] <= 2 ** 20, `MNIST run 11 starts ${liveAt[11] - liveAt[1]} bytes above run 1: a measurement kept its buffers`);
    // Live bytes: every run of a dataset starts from that dataset's baseline (±64 KiB), i.e. the
    // previous experiment, its measurement included, was freed.
    for (const x of liveDrift) assert.ok(Math.abs(x.drift) <= 64 * 1024, `run ${x.run} (${x.data}): live bytes ${x.drift} from the baseline`);
    // Memory must plateau: over the second half of the soak the wasm memory may not grow at all
    // (its allocator reuses freed blocks once it has seen the largest run) and the JS heap by
    // at most 10 % + 1 MiB (V8's own caches).
    const mid = samples.find((s) => s.run >= runs / 2);
    const last = samples[samples.length - 1];
    assert.ok(last.wasmMiB <= mid.wasmMiB, `wasm memory still growing: ${mid.wasmMiB} → ${last.wasmMiB} MiB`);
    assert.ok(last.jsMiB <= 1.1 * mid.jsMiB + 1, `JS heap still growing: ${mid.jsMiB} → ${last.jsMiB} MiB`);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});
