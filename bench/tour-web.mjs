// The whole paper tour in the page (issue #6's "the paper tour" task): the tour's last step runs
// every preset at default size in the page's worker (wasm + simd128), as `sgn-lab run --preset
// paper-tour` does natively. Not a test (a wall time depends on the machine):
// `node bench/tour-web.mjs` after `scripts/build-web.sh`; `make bench` runs it.
//
// Timed from the click on "Run this step" to the report on the page (node's clock), seed as
// given by SEED (default 0, the seed of scripts/make-results.sh), on the tour's worker pool: WORKERS=N forces N
// workers (default: the page's own choice, hardwareConcurrency − 1), SPLIT=replicates|parts forces the units (default:
// the page's choice). Prints one `TOUR {"s": seconds, "seed": …, "workers": …, "units": …, "verdict": …}` line; the
// verdict line is the page's own summary, to compare with the native run's.
import { serveDist, launch } from '../tests/e2e/harness.mjs';

const SEED = Number(process.env.SEED || 0);
const WORKERS = Number(process.env.WORKERS || 0);
const SPLIT = process.env.SPLIT || '';
const server = await serveDist();
const { page, log, close } = await launch({ origin: server.origin });
try {
  await page.goto(`${server.base}#seed=${SEED}`);
  await page.getByTestId('tour-pos').waitFor();
  while (!(await page.getByTestId('tour-next').isDisabled())) await page.getByTestId('tour-next').click();
  const heading = await page.getByTestId('tour-heading').textContent();
  await page.getByTestId('play').waitFor();
  await page.waitForFunction(() => !document.querySelector('[data-testid="tour-run"]').disabled, null, { timeout: 60_000 });
  await page.evaluate(([n, split]) => { window.sgnLab.tourPool.force(n); window.sgnLab.tourPool.split(split); }, [WORKERS, SPLIT]);
  const t0 = performance.now();
  await page.getByTestId('tour-run').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="tour-result"]').hidden
    || document.querySelector('[data-testid="status"]').classList.contains('bad'), null, { timeout: 900_000 });
  const s = (performance.now() - t0) / 1e3;
  const status = await page.getByTestId('status').textContent();
  if (await page.getByTestId('tour-result').isHidden()) throw new Error(`the tour failed: ${status}`);
  const replicates = await page.getByTestId('set-replicates').inputValue().catch(() => '?');
  const pool = await page.evaluate(() => window.sgnLab.tourPool.last());
  console.log(`${heading}: ${s.toFixed(1)} s in the page (seed ${SEED}, ${replicates} replicates, ${pool.units} units on ${pool.workers} workers)`);
  const verdict = (await page.locator('[data-testid="tour-verdicts"] .verdict-head').first().textContent()).slice(0, 120);
  if (log.consoleErrors.length) throw new Error(`console errors: ${log.consoleErrors.join('; ')}`);
  console.log(`TOUR ${JSON.stringify({ s, seed: SEED, replicates, workers: pool.workers, units: pool.units, heading, verdict })}`);
} finally {
  await close();
  await server.close();
}
