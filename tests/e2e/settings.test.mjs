// End-to-end: the setup lives in the URL (seed included, through the engine's `v1.` codec) and a
// shared link reproduces the run's numbers — in another page and in the CLI (`sgn-lab url` makes
// the link, `sgn-lab run --url` runs it); a diverging learning rate ends with a message naming
// the step and the next run works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { serveDist, launch, ROOT } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

async function ready(page) {
  await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled
    || document.querySelector('[data-testid="status"]').classList.contains('bad'), null, { timeout: 60_000 });
}

async function stepN(page, n) {
  for (let i = 1; i <= n; i++) {
    await page.getByTestId('step').click();
    await page.waitForFunction((k) => document.querySelector('[data-testid="r-step"]').textContent === String(k), i);
  }
  return page.getByTestId('r-loss').textContent();
}

test('a shared URL reproduces the same run, bit for bit in what the page shows', { timeout: 180_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=5');
    await ready(page);
    await page.getByTestId('set-data').selectOption('digits');
    await ready(page);
    await page.getByTestId('set-bs').selectOption('32');
    await ready(page);
    const url = page.url();
    assert.match(url, /#v1\.[A-Za-z0-9_-]+$/, `the hash holds the configuration in the engine's codec: ${url}`);
    assert.equal(JSON.parse(sgnLab(['url', '--url', url])).hash, url.split('#')[1], 'the CLI reads the page\'s link');
    assert.match(await page.getByTestId('data-desc').textContent(), /8×8 digits/);
    const first = await stepN(page, 15);

    const other = await launch({ origin: server.origin });
    try {
      await other.page.goto(url);
      await ready(other.page);
      assert.equal(await other.page.getByTestId('set-data').inputValue(), 'digits');
      assert.equal(await other.page.getByTestId('seed').inputValue(), '5');
      assert.equal(await stepN(other.page, 15), first, 'same URL, same loss after 15 steps');
    } finally {
      await other.close();
    }
    // Editing the address bar (a hashchange) rebuilds the run with the new setup.
    await page.evaluate(() => { location.hash = '#seed=6&data=wine&model=fcn1'; });
    await page.waitForFunction(() => /wine/.test(document.querySelector('[data-testid="data-desc"]').textContent), null, { timeout: 60_000 });
    assert.equal(await page.getByTestId('seed').inputValue(), '6');
    assert.equal(await page.getByTestId('set-model').inputValue(), 'fcn1');
    // The tour still answers one click with one step (its controls are wired once).
    await page.getByTestId('tour-next').click();
    assert.match(await page.getByTestId('tour-pos').textContent(), /^2 \//);
    assert.deepEqual(log.consoleErrors, []);
    assert.deepEqual(log.foreignRequests, []);
  } finally {
    await close();
  }
});

/** Deep comparison: equal structure, strings, booleans and integers; floats to `rtol` relative
 * or `atol` absolute. */
function assertClose(a, b, path, rtol, atol = 0) {
  if (typeof a === 'number' && typeof b === 'number' && !(Number.isInteger(a) && Number.isInteger(b))) {
    const scale = Math.max(Math.abs(a), Math.abs(b), 1e-300);
    assert.ok(Math.abs(a - b) <= Math.max(rtol * scale, atol), `${path}: ${a} vs ${b}`);
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${path}: keys`);
    for (const k of Object.keys(a)) {
      // Eigenvalues are accurate relative to λ₁ (PROTOCOL §4), so their small differences
      // (eigengaps near the noise floor) are compared on that scale.
      const floor = k === 'spectrum' && a[k] ? 1e-12 * a[k].report.eigenvalues[0] : atol;
      assertClose(a[k], b[k], `${path}.${k}`, k === 'vs_lognormal' ? Math.max(rtol, 1e-3) : rtol, floor);
    }
  } else {
    assert.equal(a, b, path);
  }
}

/** Runs the CLI (built by `cargo test`, rebuilt if needed) and returns its stdout. */
function sgnLab(args) {
  return execFileSync('cargo', ['run', '--quiet', '--bin', 'sgn-lab', '--', ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('a link made by the CLI opens in the page with its settings, and both measure the same numbers', { timeout: 240_000 }, async () => {
  const json = { seed: 21, data: { dataset: { kind: 'digits8x8' } }, training: { lr: 0.05, epochs: 1, batch_size: 64 } };
  const file = `${ROOT}/test-results/cli-link-config.json`;
  await fs.mkdir(`${ROOT}/test-results`, { recursive: true });
  await fs.writeFile(file, JSON.stringify(json));
  const { hash } = JSON.parse(sgnLab(['url', '--config', file]));
  assert.match(hash, /^v1\./);

  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(`${server.base}#${hash}`);
    await ready(page);
    assert.equal(await page.getByTestId('seed').inputValue(), '21');
    assert.equal(await page.getByTestId('set-data').inputValue(), 'digits');
    assert.equal(await page.getByTestId('set-lr').inputValue(), '0.05', 'a value no option names is shown as it is');
    assert.equal(await page.getByTestId('set-epochs').inputValue(), '1');
    assert.equal(await page.getByTestId('set-bs').inputValue(), '64');
    assert.equal(page.url().split('#')[1], hash, 'the page writes back the same state');
    await page.getByTestId('play').click();
    await page.waitForFunction(() => /^Finished/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 60_000 });
    await page.getByTestId('measure').click();
    await page.waitForFunction(() => /^Measured/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 120_000 });
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-json').click()]);
    // The page's full report (the CLI's schema); its measurement is the arm's "trained" structure.
    const inPage = JSON.parse(await fs.readFile(await dl.path(), 'utf8')).arms[0].measurements.find((m) => m.label === 'trained').structure;

    const report = JSON.parse(sgnLab(['run', '--url', `${server.base}#${hash}&embed=1`]));
    assert.equal(report.seed, 21);
    const cli = report.arms[0].measurements.find((m) => m.label === 'trained').structure;
    assert.equal(inPage.step, cli.step, 'same number of steps');
    // The contract of PROTOCOL §5.2: weights and gradients are bit-identical; the statistics'
    // ln/exp differ in the last bits across platforms, so numbers agree to 1e-9 relative (1e-3
    // inside the truncated-lognormal Vuong fit), and every verdict, count and label is equal.
    assertClose(inPage, cli, 'report', 1e-9);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});

test('a link the engine cannot read says so and the page runs the defaults', { timeout: 120_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(`${server.base}#v1.eyJ0cmFpbmluZyI6eyJzcGVlZCI6MX19`); // {"training":{"speed":1}}
    await ready(page);
    assert.match(await page.getByTestId('status').textContent(), /could not be read.*unknown field `speed`/);
    assert.equal(await page.getByTestId('set-lr').inputValue(), '0.1');
    await stepN(page, 1);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});

test('divergence stops the run with the step named; the next run works', { timeout: 180_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=3&lr=10');
    await ready(page);
    await page.getByTestId('play').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]').classList.contains('bad'), null, { timeout: 60_000 });
    const status = await page.getByTestId('status').textContent();
    assert.match(status, /diverged at step \d+/);
    const failed = Number(status.match(/diverged at step (\d+)/)[1]);
    assert.equal(await page.getByTestId('play').textContent(), 'Play');
    // θ is not finite now: measuring is refused until a new run, and the status says why.
    assert.match(status, /The weights are no longer finite, so there is nothing to measure: press Reset or change a setting\.$/, status);
    assert.equal(await page.getByTestId('measure').isDisabled(), true, 'Measure disabled after divergence');
    await page.waitForTimeout(500); // a late 'stopped' or progress message must not re-enable it
    assert.equal(await page.getByTestId('measure').isDisabled(), true, 'Measure still disabled');
    // What the chart holds (its CSV export) is finite: no NaN or ∞ reaches a plot.
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-loss-chart').click()]);
    const rows = (await fs.readFile(await dl.path(), 'utf8')).trim().split('\n').slice(1);
    assert.ok(rows.length > 0, 'some steps were recorded before the divergence');
    // Every step before the failing one is on the chart, including those of the failing slice.
    assert.equal(Number(rows.at(-1).split(',')[0]), failed - 1, `last charted step vs failing step ${failed}`);
    for (const r of rows) for (const v of r.split(',').filter((x) => x !== '')) assert.ok(Number.isFinite(Number(v)), `chart value ${v}`);

    await page.getByTestId('reset').click();
    await ready(page);
    assert.equal(await page.getByTestId('measure').isDisabled(), false, 'Reset brings Measure back');
    await page.getByTestId('set-lr').selectOption('0.1');
    await ready(page);
    const loss = Number(await stepN(page, 3));
    assert.ok(Number.isFinite(loss) && loss > 0, `the next run trains (loss ${loss})`);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});

test('determinism across page loads: the same link gives the same measurement report, byte for byte', { timeout: 300_000 }, async () => {
  const link = `${server.base}#seed=12&data=digits&bs=64`;
  /** Loads (or reloads) the link, trains 12 steps, measures with the defaults; the downloaded
   * report JSON and the chart's CSV, as text. */
  async function runOnce(page, reload) {
    if (reload) await page.reload(); else await page.goto(link);
    await ready(page);
    await stepN(page, 12);
    await page.getByTestId('measure').click();
    await page.waitForFunction(() => /^Measured/.test(document.querySelector('[data-testid="status"]').textContent)
      || document.querySelector('[data-testid="status"]').classList.contains('bad'), null, { timeout: 180_000 });
    assert.match(await page.getByTestId('status').textContent(), /^Measured/);
    const text = async (id) => {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(id).click()]);
      return fs.readFile(await dl.path(), 'utf8');
    };
    return { report: await text('report-json'), chart: await text('csv-loss-chart') };
  }
  const a = await launch({ origin: server.origin });
  const b = await launch({ origin: server.origin });
  try {
    const first = await runOnce(a.page, false);
    const reloaded = await runOnce(a.page, true);
    const other = await runOnce(b.page, false);
    assert.ok(first.report.length > 1000 && /"table_a"|"rates"|"verdict"/.test(first.report), 'a full report');
    assert.equal(reloaded.report, first.report, 'same report after a reload');
    assert.equal(other.report, first.report, 'same report in a second browser');
    assert.equal(reloaded.chart, first.chart);
    assert.equal(other.chart, first.chart);
    assert.deepEqual(a.log.consoleErrors, []);
    assert.deepEqual(b.log.consoleErrors, []);
  } finally {
    await a.close();
    await b.close();
  }
});
