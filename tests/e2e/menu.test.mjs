// End-to-end: every menu choice works (issue 19). The page has exactly the menus listed in
// tests/fixtures/menu.json; each of their options, chosen from the defaults through the real
// menus, leaves Play and Measure enabled and settles on the configuration recorded there (the
// native test tests/menu_choices.rs makes that record from the engine's checks, and also goes
// through the whole product of the menus that enter the memory estimate). LeNet-5 from the menu
// trains and measures with N_cov lowered to fit, and says so beside the setting; a link keeps its
// values and offers the largest that fits instead; heavy and refused combinations say which
// setting to change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { serveDist, launch, screenshotPath, ROOT } from './harness.mjs';

const FIXTURE = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/fixtures/menu.json'), 'utf8'));

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

/** The configuration in the page's address (the keys that differ from the protocol's default),
 * seed left out: what tests/fixtures/menu.json records. */
function linkState(url) {
  const state = new URL(url).hash.replace(/^#/, '').split('&')[0];
  assert.match(state, /^v1\./, url);
  const body = state.slice(3);
  const json = body ? JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) : {};
  delete json.seed;
  return json;
}

/** A link for a configuration given as its differences from the protocol's default. */
const link = (diff) => `#v1.${Buffer.from(JSON.stringify(diff)).toString('base64url')}`;
const LAB = { logging: { full_every: 0 }, analysis: { davis_kahan_top: 20 } };

/** The page after a change has settled: the session is built (Play enabled, or a refusal in the
 * status) and the engine has checked the measurement (Measure enabled, or a suggestion shown). */
async function settled(page) {
  await page.waitForFunction(() => {
    const q = (id) => document.querySelector(`[data-testid="${id}"]`);
    if (q('status').classList.contains('bad') && q('play').disabled) return true;
    if (q('play').disabled) return false;
    return !q('measure').disabled || (!q('fit-note').hidden && !q('fit-apply').hidden);
  }, null, { timeout: 60_000 });
}

const status = (page) => page.getByTestId('status').textContent();

test('the page has exactly the recorded menus; every choice from the defaults trains and can be measured', { timeout: 600_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  const t0 = Date.now();
  try {
    await page.goto(`${server.base}#seed=3`);
    await settled(page);
    // The menus: every select of the run (the upload's own rows/columns select, the tour's
    // Workers — a setting of this computer kept out of the link — and the embed code's choices
    // are not settings of the run), in the page's order, with the recorded options.
    const selects = await page.evaluate(() => [...document.querySelectorAll('select')]
      .filter((s) => s.id !== 'upload-rows' && s.id !== 'tour-workers' && !s.id.startsWith('embed-'))
      .map((s) => ({ id: s.id, options: [...s.options].filter((o) => !o.dataset.extra).map((o) => o.value) })));
    const order = (ms) => [...ms].sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(order(selects), order(FIXTURE.menus.map(({ id, options }) => ({ id, options }))));
    let tried = 0;
    for (const { id, options } of FIXTURE.menus) {
      const select = page.getByTestId(id);
      const initial = await select.inputValue();
      for (const o of [...options.filter((x) => x !== initial), initial]) {
        await select.selectOption(o);
        await settled(page);
        const name = `${id}=${o}`;
        assert.equal(await page.getByTestId('play').isDisabled(), false, `${name}: Play (${await status(page)})`);
        assert.equal(await page.getByTestId('measure').isDisabled(), false, `${name}: Measure (${await page.getByTestId('fit-note').textContent()})`);
        assert.deepEqual(linkState(page.url()), FIXTURE.choices[name], `${name}: the configuration in the link`);
        if (name === 'set-model=lenet') {
          const note = page.getByTestId('fit-note');
          assert.equal(await note.isVisible(), true);
          assert.match(await note.textContent(), /^Spectrum N_cov set to 700 for this setup: 1000 would need about \d+\.\d MiB with training, above the cap of 512\.0 MiB \(the largest value that fits is 7\d\d\)\.\s*$/);
          assert.equal(await page.getByTestId('spectrum-n').inputValue(), '700');
          assert.equal(await note.evaluate((n) => n.classList.contains('bad')), false, 'a notice, not an error');
        }
        tried += 1;
      }
      // Back at the default: the lowered N_cov is the user's 1000 again.
      assert.deepEqual(linkState(page.url()), FIXTURE.choices[`${id}=${initial}`]);
    }
    assert.equal(tried, FIXTURE.menus.reduce((n, m) => n + m.options.length, 0));
    console.log(`# ${tried} choices in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});

test('LeNet-5 from the menu trains and measures at the defaults, with N_cov lowered and said so', { timeout: 600_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(`${server.base}#seed=11`);
    await settled(page);
    await page.getByTestId('set-model').selectOption('lenet');
    await settled(page);
    assert.equal(await page.getByTestId('spectrum-n').inputValue(), '700');
    assert.match(await page.getByTestId('model-desc').textContent(), /LeNet-5 \(ReLU\) \(44,426 parameters; about \d+\.\d MiB to train, 5\d\d\.\d MiB with the measurement; cap 512 MiB\)/);
    await page.screenshot({ path: screenshotPath('menu-lenet-lowered.png'), fullPage: true });
    for (let i = 1; i <= 10; i++) {
      await page.getByTestId('step').click();
      await page.waitForFunction((k) => document.querySelector('[data-testid="r-step"]').textContent === String(k), i, { timeout: 60_000 });
    }
    const t0 = Date.now();
    await page.getByTestId('measure').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="structure-body"]').hidden
      || document.querySelector('[data-testid="status"]').classList.contains('bad'), null, { timeout: 480_000 });
    assert.match(await status(page), /^Measured the gradients at step 10\./);
    console.log(`# LeNet-5 measured (N_cov = 700) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.match(await page.locator("#spectrum-sub").textContent(), /N = 700 per-sample gradients, P = 44426/);
    // The downloaded report states the N_cov that was measured, as the link does.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-json').click()]);
    const report = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert.equal(report.config.analysis.n_cov, 700);
    assert.equal(linkState(page.url()).analysis.n_cov, 700);
    // Another model from the menu: the user's N_cov comes back, and the notice goes.
    await page.getByTestId('set-model').selectOption('fcn2');
    await settled(page);
    assert.equal(await page.getByTestId('spectrum-n').inputValue(), '1000');
    assert.equal(await page.getByTestId('fit-note').isVisible(), false);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});

test('a link keeps its N_cov: the page offers the largest value that fits beside it, in one click', { timeout: 600_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + link({ ...LAB, seed: 4, model: { kind: 'lenet', activation: 'relu' } }));
    await settled(page);
    assert.equal(await page.getByTestId('play').isDisabled(), false, 'training is not refused for the measurement');
    assert.equal(await page.getByTestId('measure').isDisabled(), true);
    assert.equal(await page.getByTestId('spectrum-n').inputValue(), '1000', 'the link\'s value is kept');
    const note = page.getByTestId('fit-note');
    assert.match(await note.textContent(), /^Spectrum N_cov = 1000 would need about 59\d\.\d MiB with training, above the cap of 512\.0 MiB; the largest value that fits is (7\d\d)\./);
    const largest = (await note.textContent()).match(/fits is (\d+)/)[1];
    assert.equal(await note.evaluate((n) => n.classList.contains('bad')), true);
    assert.equal(await page.getByTestId('spectrum-n').evaluate((s) => s.classList.contains('needs-fit')), true, 'the setting is marked');
    assert.equal(await page.getByTestId('fit-apply').textContent(), `use spectrum N_cov = ${largest}`);
    await page.screenshot({ path: screenshotPath('menu-link-offer.png'), fullPage: true });
    // The CLI, given the same link, refuses it with the same largest value (the estimate is the
    // same function natively and in wasm, whatever the thread count).
    let cli = '';
    try {
      execFileSync('cargo', ['run', '--quiet', '--bin', 'sgn-lab', '--', 'run', '--url', page.url()], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      cli = err.stderr;
      assert.equal(err.status, 2, cli);
    }
    assert.match(cli, new RegExp(`spectrum N_cov = 1000 drives it: the largest value that fits is ${largest} \\(analysis\\.n_cov = ${largest},`));
    const before = page.url();
    await page.getByTestId('fit-apply').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="measure"]').disabled, null, { timeout: 30_000 });
    assert.equal(await page.getByTestId('spectrum-n').inputValue(), largest);
    assert.equal(linkState(page.url()).analysis.n_cov, Number(largest), 'the value is in the link');
    assert.notEqual(page.url(), before);
    assert.equal(await note.isVisible(), false);
    assert.match(await status(page), /^Ready: seed 4\./, 'the session was kept');
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});

test('heavy and refused combinations: Play or a message naming the setting; a heavy one trains and measures', { timeout: 480_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(`${server.base}#seed=5`);
    await settled(page);
    // The widest FCN, most tracked parameters, one epoch; then the largest N_cov of the menu.
    for (const [id, v] of [['set-model', 'fcn4'], ['set-width', '256'], ['set-tracked', '200'], ['set-epochs', '1'], ['set-bs', '32'], ['set-lr', '0.01']]) {
      await page.getByTestId(id).selectOption(v);
      await settled(page);
      assert.equal(await page.getByTestId('measure').isDisabled(), false, `${id}=${v}`);
    }
    await page.getByTestId('spectrum-n').selectOption('2000');
    await settled(page);
    assert.equal(await page.getByTestId('measure').isDisabled(), true);
    assert.match(await page.getByTestId('fit-apply').textContent(), /^use spectrum N_cov = 1[5-9]\d\d$/);
    await page.getByTestId('fit-apply').click();
    await settled(page);
    const nCov = await page.getByTestId('spectrum-n').inputValue();
    for (let i = 1; i <= 5; i++) {
      await page.getByTestId('step').click();
      await page.waitForFunction((k) => document.querySelector('[data-testid="r-step"]').textContent === String(k), i, { timeout: 60_000 });
    }
    const t0 = Date.now();
    await page.getByTestId('measure').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="structure-body"]').hidden
      || document.querySelector('[data-testid="status"]').classList.contains('bad'), null, { timeout: 360_000 });
    assert.match(await status(page), /^Measured the gradients at step 5\./);
    console.log(`# FCN 784→256×4→10, m = 200, N_cov = ${nCov} measured in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const { wasmBytes } = await page.evaluate(() => window.sgnLab.engineStats());
    console.log(`# wasm memory after it: ${(wasmBytes / 2 ** 20).toFixed(1)} MiB`);

    // A batch larger than a small table: Play disabled, the message names the setting and its
    // largest value; the menu's next smaller batch runs.
    await page.getByTestId('set-data').selectOption('wine');
    await settled(page);
    await page.getByTestId('set-bs').selectOption('512');
    await settled(page);
    assert.equal(await page.getByTestId('play').isDisabled(), true);
    assert.match(await status(page), /^batch size = 512 is more than the 142 samples of the training set: the largest value is 142/);
    await page.getByTestId('set-bs').selectOption('128');
    await settled(page);
    assert.match(await status(page), /^Ready/);
    // LeNet-5 on data that are not 28×28 images: the message names the dataset to choose.
    await page.getByTestId('set-model').selectOption('lenet');
    await settled(page);
    assert.equal(await page.getByTestId('play').isDisabled(), true);
    assert.match(await status(page), /^model LeNet-5 needs 28×28 images, and the dataset wine \(table\) has 13 features and no image shape: choose the dataset "MNIST subset, 28×28"/);
    await page.getByTestId('set-data').selectOption('mnist');
    await settled(page);
    assert.equal(await page.getByTestId('play').isDisabled(), false);
    assert.equal(await page.getByTestId('measure').isDisabled(), false);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});
