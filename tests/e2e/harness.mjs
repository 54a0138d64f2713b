// Shared end-to-end harness: serves dist/ under a sub-path from a tiny static server on
// 127.0.0.1 (proving the build's URLs are relative), launches Debian's Chromium through
// playwright-core, and records console errors and every request's origin.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const DIST = path.join(ROOT, 'dist');
export const RESULTS = path.join(ROOT, 'test-results');
export const SUBPATH = '/some/sub-path/';

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json',
  '.gz': 'application/octet-stream', '.png': 'image/png', '.svg': 'image/svg+xml', '.map': 'application/json',
};

/** Starts the static server; resolves to { origin, base, close }. */
export function serveDist() {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error('dist/ is not built: run scripts/build-web.sh');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (!url.pathname.startsWith(SUBPATH)) { res.writeHead(404).end(); return; }
    let rel = decodeURIComponent(url.pathname.slice(SUBPATH.length)) || 'index.html';
    const file = path.normalize(path.join(DIST, rel));
    if (!file.startsWith(DIST) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      resolve({ origin, base: origin + SUBPATH, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

/**
 * Launches headless Chromium with a fresh profile; collects console errors and foreign requests.
 * `contextOptions` go to the browser context as they are (e.g. `{ bypassCSP: true }` to inject a
 * test script such as axe-core).
 */
export async function launch({ origin, deviceScaleFactor = 2, viewport = { width: 1280, height: 860 }, contextOptions = {} }) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sgn-lab-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...contextOptions,
    executablePath: '/usr/bin/chromium',
    headless: true,
    deviceScaleFactor,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const log = { consoleErrors: [], foreignRequests: [], requests: [] };
  context.on('request', (req) => {
    const u = req.url();
    log.requests.push(u);
    if (!u.startsWith(origin + '/') && !u.startsWith('data:') && !u.startsWith('blob:')) log.foreignRequests.push(u);
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on('console', (msg) => { if (msg.type() === 'error') log.consoleErrors.push(msg.text()); });
  page.on('pageerror', (err) => log.consoleErrors.push(`pageerror: ${err.message}`));
  const close = async () => { await context.close(); fs.rmSync(profile, { recursive: true, force: true }); };
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
