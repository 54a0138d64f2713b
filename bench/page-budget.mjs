// The page's budget (issue #5): transferred size of wasm + JS (gzip) ≤ 1 MB with the dataset
// fetched lazily, and first render ≤ 1.5 s on localhost. Not a test (timings depend on the
// machine): `node bench/page-budget.mjs` after `scripts/build-web.sh`; `make bench` runs it.
//
// Cold loads (a fresh browser profile each, so nothing is cached), served from 127.0.0.1 by the
// e2e harness's static server. Reported per load, median of RUNS (default 5):
//   fcp        first contentful paint (the page's text and controls)
//   chart      the training chart's first draw (wasm compiled, plotters axes on the canvas)
//   ready      the run controls enabled: worker started, dataset fetched and decoded, network built
// and, over one session (train 150 steps, measure, draw every view, run the tour's table step and
// draw its charts), the main thread's longest task (budget: 50 ms — all engine work runs in
// workers, and the measurement's and the tour's charts are drawn in the chart worker).
// Prints one `BUDGET {json}` line and a Markdown table.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serveDist, launch, DIST } from '../tests/e2e/harness.mjs';

const RUNS = Number(process.env.RUNS || 5);
const MB = 1e6;

function sizes() {
  const files = fs.readdirSync(DIST, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(DIST, f)).isFile());
  const code = files.filter((f) => /\.(js|wasm)$/.test(f) && !f.endsWith('.map'));
  const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join(DIST, f)), { level: 6 }).length;
  const raw = (f) => fs.statSync(path.join(DIST, f)).size;
  return {
    code: code.map((f) => ({ file: f, bytes: raw(f), gzip: gz(f) })),
    assets: files.filter((f) => f.startsWith('assets/')).map((f) => ({ file: f, bytes: raw(f) })),
  };
}

async function coldLoad(server) {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    const t0 = Date.now();
    await page.goto(server.base + '#seed=1');
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="loss-chart"]');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 64) if (d[i] > 0) return true;
      return false;
    }, null, { timeout: 60_000, polling: 'raf' });
    const chart = await page.evaluate(() => performance.now());
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000, polling: 'raf' });
    const ready = await page.evaluate(() => performance.now());
    const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN);
    // What the first render fetched before the dataset: the code, and nothing else large.
    const beforeDataset = log.requests.filter((u) => !u.includes('/assets/'));
    return { fcp, chart, ready, wall: Date.now() - t0, requests: beforeDataset.length, dataset: log.requests.some((u) => u.includes('/assets/')) };
  } finally {
    await close();
  }
}

async function session(server) {
  const { page, close } = await launch({ origin: server.origin });
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
    // Long animation frames name the script that ran in them (what a long task was).
    window.longFrames = [];
    try {
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) {
          window.longFrames.push({ ms: Math.round(e.duration), what: e.scripts.map((x) => `${x.invoker} ${Math.round(x.duration)} ms`).join(', ') || 'no script (style, layout, paint)' });
        }
      }).observe({ type: 'long-animation-frame', buffered: true });
    } catch { /* no LoAF */ }
  });
  try {
    await page.goto(server.base + '#seed=1');
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    const afterLoad = await page.evaluate(() => window.longTasks.length);
    await page.getByTestId('play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="r-step"]').textContent) >= 150, null, { timeout: 120_000 });
    await page.getByTestId('measure').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="structure-body"]').getAttribute('aria-busy') === 'false', null, { timeout: 180_000 });
    // A tour step (the table preset: its pool, its report and its charts drawn).
    while (!/non-image/i.test(await page.getByTestId('tour-heading').textContent())
      && !/tabular|breast/i.test(await page.getByTestId('tour-claim').textContent())) await page.getByTestId('tour-next').click();
    await page.getByTestId('tour-run').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="tour-result"]').hidden
      && document.querySelector('[data-testid="tour-charts"]').getAttribute('aria-busy') === 'false', null, { timeout: 300_000 });
    const all = await page.evaluate(() => window.longTasks);
    const frames = (await page.evaluate(() => window.longFrames)).sort((a, b) => b.ms - a.ms).slice(0, 3);
    return { load: Math.max(0, ...all.slice(0, afterLoad)), session: Math.max(0, ...all.slice(afterLoad)), frames };
  } finally {
    await close();
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const s = sizes();
const gzipTotal = s.code.reduce((a, f) => a + f.gzip, 0);
const server = await serveDist();
const loads = [];
try {
  for (let i = 0; i < RUNS; i++) loads.push(await coldLoad(server));
  var longest = await session(server);
} finally {
  await server.close();
}
const m = { fcp: median(loads.map((l) => l.fcp)), chart: median(loads.map((l) => l.chart)), ready: median(loads.map((l) => l.ready)) };
const result = {
  gzip_bytes: gzipTotal,
  code: s.code,
  assets: s.assets,
  runs: RUNS,
  median_ms: m,
  loads,
  longest_task_ms: longest,
  budget: { gzip_ok: gzipTotal <= MB, first_render_ok: m.chart <= 1500, main_thread_ok: longest.session <= 50 },
};
console.log(`BUDGET ${JSON.stringify(result)}`);
console.log('\n| budget | measured | limit | ok |\n|---|---|---|---|');
console.log(`| wasm + JS, gzip | ${(gzipTotal / 1e3).toFixed(0)} kB (${s.code.map((f) => `${f.file} ${(f.gzip / 1e3).toFixed(0)} kB`).join(', ')}) | 1000 kB | ${result.budget.gzip_ok ? 'yes' : 'NO'} |`);
console.log(`| first contentful paint | ${m.fcp.toFixed(0)} ms | — | — |`);
console.log(`| first chart drawn (wasm compiled) | ${m.chart.toFixed(0)} ms | 1500 ms | ${result.budget.first_render_ok ? 'yes' : 'NO'} |`);
console.log(`| lab ready (dataset fetched, network built) | ${m.ready.toFixed(0)} ms | — | — |`);
const lt = (ms) => (ms ? `${ms.toFixed(0)} ms` : 'none over 50 ms (the Long Tasks API threshold)');
console.log(`| longest main-thread task: training, measuring, a tour step, drawing | ${lt(longest.session)} | 50 ms | ${result.budget.main_thread_ok ? 'yes' : 'NO'} |`);
console.log(`| longest main-thread task: page load (wasm compile) | ${lt(longest.load)} | — | — |`);
console.log(`\nLongest animation frames of the session (whole page, load included): ${longest.frames.map((f) => `${f.ms} ms (${f.what})`).join('; ') || 'none over 50 ms'}`);
console.log(`\nDataset assets (fetched by the worker when a run needs them, never in the bundle): ${s.assets.map((a) => `${a.file} ${(a.bytes / 1e3).toFixed(0)} kB`).join(', ')}`);
