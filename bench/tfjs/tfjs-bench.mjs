// TensorFlow.js in the same headless Chromium as tests/bench_web.rs (issue #16 item 4): the SGD step, the
// per-sample gradients of N = 1000 samples and the full-batch gradient of bench/anchors/network_anchor.py, done by
// tfjs 4.22.0 on its wasm backend (XNNPACK, wasm SIMD, threads) and its cpu backend (plain JS). Not a test (timings
// depend on the machine): `node bench/tfjs/tfjs-bench.mjs`; `make bench` runs it after the browser bench and puts
// its rows in the table against sgn-lab's Chromium column.
//
// Serves bench/tfjs/index.html + bench.js, the tfjs bundles from node_modules (tf.min.js, which carries the cpu
// and webgl backends, and tf-backend-wasm.min.js with its three .wasm binaries) and assets/mnist-10k.bin.gz from a
// tiny static server on 127.0.0.1 that sends Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp, so the page is cross-origin isolated: SharedArrayBuffer exists and
// tfjs-wasm loads its threaded SIMD binary (it picks its own thread count; the TFJS lines say how many). Chromium is
// launched by the e2e harness's launch() (Debian's /usr/bin/chromium through playwright-core, headless, a fresh
// profile, every non-loopback request refused and failing the run): nothing is downloaded at run time.
//
// What the page times and checks is described at the top of bench.js. Output: the page's lines as they come
// (human lines, `ANCHOR {…}` per timing, `TFJS {…}` per backend with the check errors), then which wasm binary
// the page fetched. Exits 0 only when every check passed on every backend.
// Environment: BACKENDS (default "wasm,cpu"), BUDGET_SCALE (scales the per-timing time budgets, default 1).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { launch, ROOT } from '../../tests/e2e/harness.mjs';

const BACKENDS = (process.env.BACKENDS || 'wasm,cpu').split(',').map((s) => s.trim()).filter(Boolean);
const SCALE = Number(process.env.BUDGET_SCALE || 1);

const WASM_DIST = 'node_modules/@tensorflow/tfjs-backend-wasm/dist/';
const ROUTES = {
  '/': 'bench/tfjs/index.html',
  '/bench.js': 'bench/tfjs/bench.js',
  '/tfjs/tf.min.js': 'node_modules/@tensorflow/tfjs/dist/tf.min.js',
  '/tfjs-wasm/tf-backend-wasm.min.js': WASM_DIST + 'tf-backend-wasm.min.js',
  '/tfjs-wasm/tfjs-backend-wasm.wasm': WASM_DIST + 'tfjs-backend-wasm.wasm',
  '/tfjs-wasm/tfjs-backend-wasm-simd.wasm': WASM_DIST + 'tfjs-backend-wasm-simd.wasm',
  '/tfjs-wasm/tfjs-backend-wasm-threaded-simd.wasm': WASM_DIST + 'tfjs-backend-wasm-threaded-simd.wasm',
  '/assets/mnist-10k.bin.gz': 'assets/mnist-10k.bin.gz',
};
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.gz': 'application/octet-stream' };
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

for (const rel of Object.values(ROUTES)) {
  if (!fs.existsSync(path.join(ROOT, rel))) throw new Error(`${rel} is missing (run npm ci)`);
}

/** The page's static server: only the routes above, every response cross-origin isolating and uncached. */
function serve() {
  const served = [];
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    served.push(pathname);
    const rel = ROUTES[pathname];
    const headers = { ...ISOLATION, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };
    if (!rel) {
      res.writeHead(pathname === '/favicon.ico' ? 204 : 404, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': MIME[path.extname(rel)] || 'application/octet-stream' });
    fs.createReadStream(path.join(ROOT, rel)).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      origin: `http://127.0.0.1:${server.address().port}`,
      served,
      close: () => {
        server.closeAllConnections?.();
        return new Promise((r) => server.close(r));
      },
    }));
  });
}

const t0 = performance.now();
const server = await serve();
const { page, log, close } = await launch({ origin: server.origin, deviceScaleFactor: 1 });
let result;
try {
  await page.exposeFunction('benchEmit', (line) => console.log(line));
  await page.goto(server.origin + '/');
  await page.waitForFunction(() => typeof window.runTfjsBench === 'function', null, { timeout: 60_000 });
  result = await page.evaluate((cfg) => window.runTfjsBench(cfg), { backends: BACKENDS, scale: SCALE });
} finally {
  await close();
  await server.close();
}

const binaries = [...new Set(server.served.filter((u) => u.endsWith('.wasm')).map((u) => path.basename(u)))];
console.log(`\ncross-origin isolated: ${result.crossOriginIsolated}; tfjs-wasm fetched ${binaries.join(', ') || 'no .wasm'}; ` +
  result.results.map((r) => `tfjs-${r.backend}: ${r.threads} thread(s)`).join(', '));
if (log.consoleErrors.length) console.log(`console errors (not fatal): ${log.consoleErrors.join(' | ')}`);
const failed = result.results.filter((r) => !r.ok).map((r) => r.backend);
if (result.crossOriginIsolated !== true) failed.push('cross-origin isolation');
console.log(`tfjs-bench: ${failed.length ? `FAILED (${failed.join(', ')})` : 'every check passed'} in ${((performance.now() - t0) / 1e3).toFixed(0)} s`);
process.exit(failed.length ? 1 : 0);
