// End-to-end: the tour's worker pool (www/pool.js). A tour step's report is byte-identical with
// 1, 2 and a forced 3 workers (more than this 2-core machine's automatic choice) and equal to
// the native CLI's report of the same preset, seed and replicates; a worker that crashes mid-run
// (a real Rust panic inside its unit, through the test hook) is replaced and its unit rerun, with
// the same bytes; the lab's own worker keeps training while the pool runs. The step is the
// non-image preset (breast-cancer table: an asset fetched once by the page and handed to each
// worker), at the page's default replicates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serveDist, launch, ROOT } from './harness.mjs';

const SEED = 9;
let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

/** The CLI's report.json for `preset` at `seed` over `replicates` (the page's tour base). */
function cliReport(preset, seed, replicates) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sgn-lab-cli-'));
  try {
    execFileSync('cargo', ['run', '--quiet', '--bin', 'sgn-lab', '--', 'run', '--preset', preset, '--seed', String(seed),
      '--replicates', String(replicates), '--threads', '2', '--out', out], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    return fs.readFileSync(path.join(out, 'report.json'), 'utf8');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

test('tour pool: 1, 2 and 3 workers and a crashed worker give the CLI\'s report bytes', { timeout: 300_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(`${server.base}#seed=${SEED}`);
    await page.getByTestId('tour-pos').waitFor();
    while (!/non-image/i.test(await page.getByTestId('tour-heading').textContent())
      && !/tabular|breast/i.test(await page.getByTestId('tour-claim').textContent())) {
      assert.equal(await page.getByTestId('tour-next').isDisabled(), false, 'the non-image step exists');
      await page.getByTestId('tour-next').click();
    }
    const replicates = Number(await page.getByTestId('set-replicates').inputValue());
    assert.ok(replicates >= 2, `several replicates (${replicates})`);
    assert.ok(await page.getByTestId('tour-workers').isVisible(), 'the Workers setting is shown');
    await page.waitForFunction(() => /^Ready/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 60_000 });

    const runStep = async ({ workers, crash = false }) => {
      await page.evaluate(([n, c]) => { window.sgnLab.tourPool.force(n); if (c) window.sgnLab.tourPool.crashNextUnit(); }, [workers, crash]);
      await page.getByTestId('tour-run').click();
      const stages = [];
      const poll = setInterval(() => page.getByTestId('tour-stage').textContent().then((t) => stages.push(t), () => {}), 100);
      try {
        await page.waitForFunction(() => document.querySelector('[data-testid="tour-run"]').disabled === false, null, { timeout: 180_000 });
      } finally {
        clearInterval(poll);
      }
      assert.equal(await page.getByTestId('tour-result').isVisible(), true, `the step finished (${await page.getByTestId('tour-stage').textContent()})`);
      const info = await page.evaluate(() => window.sgnLab.tourPool.last());
      assert.equal(info.workers, Math.min(workers, info.units), 'the forced pool size');
      assert.equal(info.units, replicates, 'one unit per replicate');
      assert.ok(stages.some((s) => /\d+\/\d+ units done/.test(s)), `progress shows units done / total (${stages.slice(-3)})`);
      assert.equal(info.replaced, crash ? 1 : 0, 'workers replaced after a crash');
      if (crash) assert.ok(stages.some((s) => /1 replaced after a crash/.test(s)), `the progress line says so (${stages.slice(-3)})`);
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('tour-json').click()]);
      return fs.readFileSync(await dl.path(), 'utf8');
    };

    const one = await runStep({ workers: 1 });
    const t0 = Date.now();
    // The lab's own worker answers while the pool runs: Step trains one step.
    await page.evaluate(() => window.sgnLab.tourPool.force(2));
    await page.getByTestId('tour-run').click();
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="r-step"]').textContent === '1', null, { timeout: 10_000 });
    assert.equal(await page.getByTestId('tour-run').isDisabled(), true, 'the step trained while the tour step was running');
    await page.waitForFunction(() => document.querySelector('[data-testid="tour-run"]').disabled === false, null, { timeout: 180_000 });
    const labStepSeconds = (Date.now() - t0) / 1e3;
    const two = await runStep({ workers: 2 });
    const three = await runStep({ workers: 3 });
    const crashed = await runStep({ workers: 2, crash: true });
    assert.ok(one === two, '1 and 2 workers: the same report bytes');
    assert.ok(one === three, '1 and 3 workers: the same report bytes');
    assert.ok(one === crashed, 'a crashed and replaced worker: the same report bytes');
    const cli = cliReport('non-image', SEED, replicates);
    assert.ok(one === cli, 'the page\'s report is the CLI\'s, byte for byte');
    assert.match(one, new RegExp(`"seed": ${SEED},`));
    assert.ok(labStepSeconds > 0);
    assert.deepEqual(log.consoleErrors.filter((e) => !/deliberate panic|selftest|RuntimeError|unreachable/i.test(e)), []);
  } finally {
    await close();
  }
});

test('measurement bootstrap: on the engine\'s worker, on 1, 2 and a forced 3 pool workers, the same report bytes', { timeout: 300_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(`${server.base}#seed=${SEED}&data=digits&bs=32`);
    await page.waitForFunction(() => !document.querySelector('[data-testid="measure"]').disabled, null, { timeout: 60_000 });
    // Clauset's rule bootstraps its example tail tests (1000 replicates); M = 1000 draws makes it
    // enough work for the pool (units::POOL_MIN_WORK).
    await page.getByTestId('tail-rule').selectOption('clauset');
    await page.getByTestId('tail-draws').selectOption('1000');
    for (let i = 0; i < 20; i++) await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="r-step"]').textContent === '20', null, { timeout: 60_000 });
    const measure = async ({ force = 0, cap = 0, thenPlay = false }) => {
      await page.evaluate(([f, c]) => { const p = window.sgnLab.bootstrapPool; p.force(f); p.cap(c); p.reset(); }, [force, cap]);
      const stages = [];
      const poll = setInterval(() => page.locator('#measure-stage').textContent().then((t) => stages.push(t), () => {}), 50);
      const t0 = Date.now();
      await page.getByTestId('measure').click();
      // Play pressed during the measurement reaches the engine while its bootstraps are on the
      // pool: training waits until the measurement is done, so the report is the same.
      if (thenPlay) await page.getByTestId('play').click();
      try {
        await page.waitForFunction(() => document.querySelector('[data-testid="measure-progress"]').hidden, null, { timeout: 180_000 });
      } finally {
        clearInterval(poll);
      }
      const seconds = (Date.now() - t0) / 1e3;
      assert.match(await page.getByTestId('status').textContent(), /^(Measured|Training)/, 'the measurement finished');
      const report = await page.evaluate(() => new Promise((resolve) => {
        const orig = URL.createObjectURL;
        URL.createObjectURL = (blob) => { blob.text().then(resolve); URL.createObjectURL = orig; return orig.call(URL, blob); };
        document.querySelector('[data-testid="report-json"]').click();
      }));
      return { report, pool: await page.evaluate(() => window.sgnLab.bootstrapPool.last()), stages, seconds };
    };
    const inline = await measure({ cap: 1 });
    assert.equal(inline.pool, null, 'capped at one worker: the bootstraps ran on the engine\'s worker');
    const auto = await measure({});
    assert.ok(auto.pool && auto.pool.workers === 2, `this 2-core machine: Rust sends them to 2 pool workers (${JSON.stringify(auto.pool)})`);
    assert.ok(auto.stages.some((s) => /bootstrap p-values: \d+ of 1000 replicates, on 2 workers/.test(s)), `the progress line shows the pool (${auto.stages.slice(-3)})`);
    const one = await measure({ force: 1 });
    const three = await measure({ force: 3, thenPlay: true });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="r-step"]').textContent) > 20, null, { timeout: 30_000 });
    await page.getByTestId('play').click(); // pause
    assert.equal(one.pool.workers, 1);
    assert.equal(three.pool.workers, 3);
    const r = JSON.parse(inline.report);
    const ex = r.arms[0].measurements[0].structure.iteration_sgn.power_law;
    assert.equal(ex.rule, 'clauset');
    assert.equal(ex.bootstrap, 1000, 'every replicate re-fitted');
    assert.ok(ex.p_value >= 0 && ex.p_value <= 1, `a p-value (${ex.p_value})`);
    assert.ok(inline.report === auto.report, 'engine worker and 2 pool workers: the same report bytes');
    assert.ok(inline.report === one.report, '1 pool worker: the same report bytes');
    assert.ok(inline.report === three.report, '3 pool workers: the same report bytes');
    console.log(`bootstrap measurement: engine worker ${inline.seconds.toFixed(1)} s, pool of 1 ${one.seconds.toFixed(1)} s, 2 ${auto.seconds.toFixed(1)} s, 3 ${three.seconds.toFixed(1)} s`);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});
