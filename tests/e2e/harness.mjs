// Shared end-to-end harness: serves dist/ under a sub-path from a tiny static server on
// 127.0.0.1 (proving the build's URLs are relative) with the same security headers as
// `make serve` (scripts/security-headers.json), launches Debian's Chromium through
// playwright-core, and records console errors and every request.
//
// Privacy is structural: every request to another origin fails the test. The recorder is
// Playwright's context-level `request` event, which sees the page, its frames, its dedicated
// workers and (with PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS, set below) the service worker.
// Chromium's only way out is a refusing proxy (`--proxy-server`): every non-loopback request of
// any process reaches it and is refused, so nothing leaves the machine. The proxy also sees
// Chromium's own service calls (update, sign-in, autofill hosts), which are not the page's, so it
// is kept as `log.proxied` for reading, not as a failure.
// `close()` of a launch, and `close()` of the server, throw if a foreign request was recorded
// (so a test file fails even if a test forgot its own assertion).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { chromium } from 'playwright-core';

process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS = '1';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const DIST = path.join(ROOT, 'dist');
export const RESULTS = path.join(ROOT, 'test-results');
export const SUBPATH = '/some/sub-path/';

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json',
  '.gz': 'application/octet-stream', '.png': 'image/png', '.svg': 'image/svg+xml', '.map': 'application/json',
};

/** The security headers every response carries (as `make serve` sends them). */
export const SECURITY_HEADERS = JSON.parse(fs.readFileSync(path.join(ROOT, 'scripts/security-headers.json'), 'utf8'));

/** Every foreign request seen by any launch in this process and not yet claimed by a test that
 * made one on purpose (`close({ expectForeign: true })`). */
const unclaimedForeign = [];

/** Empties and returns the unclaimed foreign requests (only for the test of the recorder itself). */
export function takeUnclaimedForeign() {
  return unclaimedForeign.splice(0);
}

/**
 * Starts the static server; resolves to { origin, base, close, served, setOffline }. `headers:
 * false` serves without the security headers (what a bare static host does), for the tests that
 * show the difference. `served` lists every request the server received (`host` header + path),
 * so a test can check what reached it in an engine without a request event; `setOffline(true)`
 * makes the server drop every connection unanswered (the network gone, for any engine) until
 * `setOffline(false)`.
 */
export function serveDist({ headers = true } = {}) {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error('dist/ is not built: run scripts/build-web.sh');
  const served = [];
  let offline = false;
  const server = http.createServer((req, res) => {
    if (offline) { req.socket.destroy(); return; }
    served.push({ host: req.headers.host, url: req.url });
    const url = new URL(req.url, 'http://x');
    const notFound = () => res.writeHead(404, headers ? SECURITY_HEADERS : {}).end();
    if (!url.pathname.startsWith(SUBPATH)) { notFound(); return; }
    let rel = decodeURIComponent(url.pathname.slice(SUBPATH.length)) || 'index.html';
    const file = path.normalize(path.join(DIST, rel));
    if (!file.startsWith(DIST) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) { notFound(); return; }
    res.writeHead(200, { ...(headers ? SECURITY_HEADERS : {}), 'content-type': MIME[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      resolve({
        origin,
        base: origin + SUBPATH,
        served,
        setOffline: (on) => { offline = on; if (on) server.closeAllConnections?.(); },
        close: async () => {
          server.closeAllConnections?.();
          await new Promise((r) => server.close(r));
          if (unclaimedForeign.length) throw new Error(`requests left the page's origin: ${unclaimedForeign.join(', ')}`);
        },
      });
    });
  });
}

/**
 * A recording proxy on 127.0.0.1: records the target of every request (plain HTTP by its
 * absolute URL, HTTPS by its CONNECT host) and refuses it (403 / closed). Chromium sends it
 * everything that is not loopback.
 */
export function startRecorder() {
  const seen = [];
  const server = http.createServer((req, res) => { seen.push(req.url); res.writeHead(403).end(); });
  server.on('connect', (req, socket) => { seen.push(`https://${req.url}`); socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'); });
  server.on('clientError', (_e, socket) => socket.destroy());
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      seen,
      url: `http://127.0.0.1:${server.address().port}`,
      close: () => { server.closeAllConnections?.(); return new Promise((r) => server.close(r)); },
    }));
  });
}

/**
 * Launches headless Chromium with a fresh profile; collects console errors and every request.
 * `contextOptions` go to the browser context as they are (e.g. `{ bypassCSP: true }` to inject a
 * test script such as axe-core).
 * `close()` throws if any request went to another origin; `close({ expectForeign: true })` (for
 * the tests that make one on purpose) returns them instead.
 */
export async function launch({ origin, deviceScaleFactor = 2, viewport = { width: 1280, height: 860 }, contextOptions = {} }) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sgn-lab-e2e-'));
  const recorder = await startRecorder();
  const context = await chromium.launchPersistentContext(profile, {
    ...contextOptions,
    executablePath: '/usr/bin/chromium',
    headless: true,
    deviceScaleFactor,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
      `--proxy-server=${recorder.url}`],
  });
  // `requests`: every request (page, its workers, the service worker); `pageRequests`: those not
  // issued by the service worker (its install-time precache is not what the page asked for).
  const log = { consoleErrors: [], requests: [], pageRequests: [], foreignRequests: [], proxied: recorder.seen };
  context.on('request', (req) => {
    const u = req.url();
    log.requests.push(u);
    if (!req.serviceWorker()) log.pageRequests.push(u);
    if (!u.startsWith(origin + '/') && !u.startsWith('data:') && !u.startsWith('blob:')) log.foreignRequests.push(u);
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on('console', (msg) => { if (msg.type() === 'error') log.consoleErrors.push(msg.text()); });
  page.on('pageerror', (err) => log.consoleErrors.push(`pageerror: ${err.message}`));
  const close = async ({ expectForeign = false } = {}) => {
    await context.close();
    await recorder.close();
    fs.rmSync(profile, { recursive: true, force: true });
    const foreign = [...log.foreignRequests];
    if (expectForeign) return foreign;
    if (foreign.length) {
      unclaimedForeign.push(...foreign);
      throw new Error(`requests left the page's origin ${origin}: ${foreign.join(', ')}`);
    }
    return foreign;
  };
  return { context, page, log, close };
}

/** Counts the pixels of a canvas that are not white/transparent, and its distinct colours. */
export async function canvasInk(page, testid) {
  return page.evaluate((id) => {
    const c = document.querySelector(`[data-testid="${id}"]`);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    const colours = new Set();
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) ink += 1;
      if (i % 64 === 0) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    }
    return { ink, colours: colours.size, width: c.width, height: c.height, cssWidth: c.getBoundingClientRect().width };
  }, testid);
}

export function screenshotPath(name) {
  fs.mkdirSync(RESULTS, { recursive: true });
  return path.join(RESULTS, name);
}
