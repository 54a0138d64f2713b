// A measurement's 1000-replicate Clauset bootstrap in the page, on 1 and on 2 pool workers (issue
// #16's "page: 2 workers ≥ 1.7× faster than 1 on a 1000-replicate Clauset bootstrap"). Not a
// test (a wall time depends on the machine): `node bench/bootstrap-web.mjs` after
// `scripts/build-web.sh`; `make bench` runs it.
//
// The run: the 8×8 digits at B = 32, 20 SGD steps, tail rule Clauset (1000 bootstrap replicates of
// the iteration-wise SGN example) with M = DRAWS (default 1000) draws — the example sample has M
// values. Each measurement is timed from the engine's plan to the counts on the page
// (`window.sgnLab.bootstrapPool.last().ms`: the pool's workers started, the jobs sent, every
// chunk counted), REPEAT times (default 5) per pool size, alternating, after one run of each that
// starts the workers (reported apart); the median is reported,
// and every report must be the same bytes. Prints one `BOOTSTRAP {"n": …, "w1": ms, "w2": ms, …}` line.
import { serveDist, launch } from '../tests/e2e/harness.mjs';

const DRAWS = process.env.DRAWS || '1000';
const REPEAT = Number(process.env.REPEAT || 5);
const server = await serveDist();
const { page, log, close } = await launch({ origin: server.origin });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  await page.goto(`${server.base}#seed=0&data=digits&bs=32`);
  await page.waitForFunction(() => !document.querySelector('[data-testid="measure"]').disabled, null, { timeout: 60_000 });
  await page.getByTestId('tail-rule').selectOption('clauset');
  await page.getByTestId('tail-draws').selectOption(DRAWS);
  for (let i = 0; i < 20; i++) await page.getByTestId('step').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="r-step"]').textContent === '20', null, { timeout: 60_000 });
  const measure = async (workers) => {
    await page.evaluate((n) => { const p = window.sgnLab.bootstrapPool; p.force(n); p.reset(); }, workers);
    await page.getByTestId('measure').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="measure-progress"]').hidden, null, { timeout: 300_000 });
    const status = await page.getByTestId('status').textContent();
    if (!/^Measured/.test(status)) throw new Error(`the measurement failed: ${status}`);
    const pool = await page.evaluate(() => window.sgnLab.bootstrapPool.last());
    if (!pool || pool.workers !== workers) throw new Error(`expected a pool of ${workers}: ${JSON.stringify(pool)}`);
    const report = await page.evaluate(() => new Promise((resolve) => {
      const orig = URL.createObjectURL;
      URL.createObjectURL = (blob) => { blob.text().then(resolve); URL.createObjectURL = orig; return orig.call(URL, blob); };
      document.querySelector('[data-testid="report-json"]').click();
    }));
    return { ms: pool.ms, chunks: pool.units, report };
  };
  const times = { 1: [], 2: [] };
  let first = null;
  const cold = {};
  for (let k = -1; k < REPEAT; k++) {
    for (const w of [1, 2]) {
      const r = await measure(w);
      // The first run of each size starts its workers (the module compiled, V8's tiers warming
      // up): reported apart, as the cost of a first measurement.
      if (k < 0) cold[w] = r.ms; else times[w].push(r.ms);
      first ??= r;
      if (r.report !== first.report) throw new Error(`the report on ${w} workers differs`);
    }
  }
  const ex = JSON.parse(first.report).arms[0].measurements[0].structure.iteration_sgn.power_law;
  if (log.consoleErrors.length) throw new Error(`console errors: ${log.consoleErrors.join('; ')}`);
  const w1 = median(times[1]);
  const w2 = median(times[2]);
  console.log(`Clauset bootstrap in the page, n = ${ex.n}, ${ex.bootstrap} replicates, ${first.chunks} chunks: 1 worker ${w1.toFixed(0)} ms, 2 workers ${w2.toFixed(0)} ms (${(w1 / w2).toFixed(2)}x), same report bytes (runs: ${JSON.stringify(times)}; first runs, workers starting: ${JSON.stringify(cold)})`);
  console.log(`BOOTSTRAP ${JSON.stringify({ n: ex.n, replicates: ex.bootstrap, chunks: first.chunks, w1, w2, speedup: w1 / w2, runs: times, cold })}`);
} finally {
  await close();
  await server.close();
}
