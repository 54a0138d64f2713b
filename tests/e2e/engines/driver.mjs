// One small driver over three browser engines, so a single test file runs against each:
//   chromium  Debian's Chromium through playwright-core (the harness's `launch`)
//   firefox   Debian's Firefox ESR through puppeteer-core over WebDriver BiDi
//   webkit    WebKitGTK's MiniBrowser through WebKitWebDriver (W3C WebDriver, plain HTTP here),
//             under xvfb-run (MiniBrowser needs an X display even in automation)
// None of them downloads a browser: each engine is a Debian package (scripts/bootstrap.sh --test).
//
// A `Tab` drives the page (or, after `enterFrame`, an iframe in it) by `data-testid`:
//   goto(url) / reload()             navigate and wait for the load event
//   run(fn, arg)                     evaluate `fn(arg)` in the page (async allowed; JSON in and out)
//   until(fn, arg, {timeout, what})  poll `fn(arg)` until truthy; on time-out the page's status is in the error
//   click(id) / select(id, value)    a real click (the engine's input pipeline), an <option> chosen
//   upload(id, name, bytes)          a file given to an <input type=file> (through a temporary file)
//   download(id)                     clicks a download button and returns { name, text } of the file
//   shot(path) / errors() / requests() / close()
//
// Privacy (what each engine can record; docs/RELIABILITY.md "Privacy"):
//   - every engine is pointed at a refusing, recording proxy for everything that is not loopback
//     (Chromium: --proxy-server; Firefox: network.proxy.* prefs with localhost not proxied;
//     WebKit: the W3C `proxy` capability with 127.0.0.1 and localhost as noProxy), so no request
//     of any process leaves the machine and each one is seen;
//   - Chromium and Firefox also report every request of the page, its workers and its service
//     worker (playwright's and BiDi's network events): `requests()`; a request to another origin
//     fails the test at close();
//   - WebKitWebDriver has no network events (classic WebDriver): `requests()` is null there, and the
//     test relies on the proxy (nothing non-loopback may reach it from WebKit, which sends no
//     service calls of its own) and on the static server's log (`served`: every request it got
//     names its own host).
// Console errors: Chromium and Firefox report them as events from the first script on. WebKit
// (classic WebDriver) cannot: after each navigation the driver wraps console.error and listens for
// `error` / `unhandledrejection`, so errors from the load event on are caught; an error that stops
// the start-up shows as the page's own fatal message or as a page that never gets ready.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { launch, startRecorder } from '../harness.mjs';

export const FIREFOX = '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver';
/** MiniBrowser ships inside libwebkit2gtk-4.1-0 (`dpkg -L libwebkit2gtk-4.1-0 | grep MiniBrowser`). */
export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** The engines of the cross-engine suite; `E2E_ENGINES=firefox` (comma list) narrows it. */
export function enginesUnderTest(all = ['firefox', 'webkit']) {
  const want = (process.env.E2E_ENGINES || '').split(',').map((s) => s.trim()).filter(Boolean);
  return want.length ? all.filter((e) => want.includes(e)) : all;
}

/** The installed version of each engine, read off the Debian packages (for logs and the README). */
export function engineVersion(engine) {
  const pkg = { chromium: 'chromium', firefox: 'firefox-esr', webkit: 'libwebkit2gtk-4.1-0' }[engine];
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  } catch {
    return 'unknown';
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sel = (testid) => `[data-testid="${testid}"]`;

/** In-page helpers installed into every document: console-error capture (WebKit) and download capture. */
const HOOKS = `(() => {
  if (window.__e2e) return;
  const e2e = window.__e2e = { errors: [], downloads: [], blobs: new Map(), capture: true };
  const err = console.error.bind(console);
  console.error = (...a) => { e2e.errors.push(a.map((x) => (x && x.message) || String(x)).join(' ')); err(...a); };
  addEventListener('error', (e) => e2e.errors.push('pageerror: ' + (e.message || e.type)));
  addEventListener('unhandledrejection', (e) => e2e.errors.push('unhandledrejection: ' + ((e.reason && e.reason.message) || e.reason)));
  const make = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (b) => { const u = make(b); if (b instanceof Blob) e2e.blobs.set(u, b); return u; };
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    const blob = e2e.capture && this.hasAttribute('download') ? e2e.blobs.get(this.href) : null;
    if (!blob) return click.call(this);
    e2e.downloads.push({ name: this.download, blob });
  };
})();`;

/** The common part of every engine's tab: polling, downloads, and the page's state for errors. */
class Tab {
  constructor(engine) {
    this.engine = engine;
    this.version = engineVersion(engine);
  }

  /** Polls `fn(arg)` in the page until it returns something truthy; returns it. */
  async until(fn, arg = null, { timeout = 60_000, what = String(fn), interval = 100 } = {}) {
    const end = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        last = await this.run(fn, arg);
        if (last) return last;
      } catch (e) {
        last = e;
        if (!/context|navigat|destroyed|detached|no such|stale|reference/i.test(String(e && e.message))) throw e;
      }
      if (Date.now() > end) {
        const state = await this.run(() => {
          const t = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent;
          return `status "${t('status')}", fatal "${t('fatal-error')}", upload "${t('upload-status')}", tour "${t('tour-stage')}"`;
        }).catch((e) => `page state unreadable: ${e.message}`);
        throw new Error(`${this.engine}: timed out after ${timeout} ms waiting for ${what} (last: ${last}; ${state})`);
      }
      await sleep(interval);
    }
  }

  /** Text content of a test id (null when absent). */
  text(testid) {
    return this.run((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null, testid);
  }

  /** Whether an element is rendered (has a box; `hidden`, display:none and its ancestors count). */
  visible(testid) {
    return this.run((id) => {
      const e = document.querySelector(`[data-testid="${id}"]`);
      return Boolean(e && e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden');
    }, testid);
  }

  /** Clicks a download button; the file's name and text (the bytes the page made, as UTF-8). */
  async download(testid) {
    await this.run(new Function(HOOKS));
    const before = await this.run(() => window.__e2e.downloads.length);
    await this.click(testid);
    await this.until((n) => window.__e2e.downloads.length > n, before, { what: `a download from ${testid}` });
    return this.run(async (n) => {
      const d = window.__e2e.downloads[n];
      return { name: d.name, text: await d.blob.text() };
    }, before);
  }

  /**
   * Proves the recorder sees this engine's traffic: from about:blank (no CSP) the page fetches a
   * name under `.invalid`, which must reach the proxy; the record is then cleared. Without this a
   * silent proxy would look like a private page.
   */
  async checkRecorder() {
    await this.goto('about:blank');
    const probe = `http://recorder-check-${this.engine}.invalid/probe`;
    await this.run((u) => fetch(u).then(() => 0, () => 0), probe);
    const end = Date.now() + 10_000;
    while (!this.proxied.some((u) => u.includes(`recorder-check-${this.engine}.invalid`))) {
      if (Date.now() > end) throw new Error(`${this.engine}: the recording proxy did not see a request to ${probe}: ${this.proxied}`);
      await sleep(50);
    }
    this.proxied.length = 0;
    // (The refused probe is logged as a CORS error in Firefox: not the page's.)
    this.log.consoleErrors.length = 0;
    if (this.log.foreignRequests) this.log.foreignRequests.length = 0;
    if (this.log.requests) this.log.requests.length = 0;
  }

  /** Whether `preload` is available (not in classic WebDriver). */
  get canPreload() { return true; }

  /** Counts the pixels of a canvas that are not white/transparent (as harness.mjs `canvasInk`). */
  canvasInk(testid) {
    return this.run((id) => {
      const c = document.querySelector(`[data-testid="${id}"]`);
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) ink += 1;
      return ink;
    }, testid);
  }

  /** Console errors and uncaught exceptions seen so far. */
  async errors() {
    // (The recorder check's refused probe is logged as a CORS error by Firefox, sometimes late.)
    return [...this.log.consoleErrors, ...(await this.hookErrors())].filter((e) => !e.includes('recorder-check-'));
  }

  async hookErrors() {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Chromium: the harness's playwright launch.

class ChromiumTab extends Tab {
  static async open({ origin, viewport, deviceScaleFactor }) {
    const t = new ChromiumTab('chromium');
    const l = await launch({ origin, viewport, deviceScaleFactor });
    Object.assign(t, { context: l.context, page: l.page, log: l.log, closeLaunch: l.close, frame: l.page });
    return t;
  }

  async goto(url) { this.frame = this.page; await this.page.goto(url); }
  async reload() { this.frame = this.page; await this.page.reload(); }
  run(fn, arg) { return this.frame.evaluate(fn, arg); }
  click(testid) { return this.frame.locator(sel(testid)).click(); }
  async select(testid, value) { await this.frame.locator(sel(testid)).selectOption(value); }
  async upload(testid, name, bytes) { await this.frame.locator(sel(testid)).setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) }); }
  async shot(file) { await this.page.screenshot({ path: file, fullPage: true }); }
  async enterFrame(css) {
    const handle = await this.page.waitForSelector(css);
    this.frame = await handle.contentFrame();
  }
  async leaveFrame() { this.frame = this.page; }
  /** Runs `fn` in every new document before its own scripts. */
  async preload(fn) { await this.context.addInitScript(fn); }
  requests() { return this.log.requests; }
  get proxied() { return this.log.proxied; }
  /** Chromium's own service calls reach the proxy too (harness.mjs), so only page requests count here. */
  async close() { await this.closeLaunch(); }
}

// ---------------------------------------------------------------------------------------------
// Firefox: puppeteer-core over WebDriver BiDi.

class FirefoxTab extends Tab {
  static async open({ origin, viewport }) {
    const { default: puppeteer } = await import('puppeteer-core');
    const t = new FirefoxTab('firefox');
    t.origin = origin;
    t.recorder = await startRecorder();
    const port = Number(new URL(t.recorder.url).port);
    t.profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sgn-lab-firefox-'));
    t.browser = await puppeteer.launch({
      browser: 'firefox', protocol: 'webDriverBiDi', executablePath: FIREFOX, headless: true, userDataDir: t.profile,
      defaultViewport: viewport,
      extraPrefsFirefox: {
        // Everything that is not loopback goes to the recorder, which refuses it.
        'network.proxy.type': 1, 'network.proxy.http': '127.0.0.1', 'network.proxy.http_port': port,
        'network.proxy.ssl': '127.0.0.1', 'network.proxy.ssl_port': port, 'network.proxy.share_proxy_settings': true,
        'network.proxy.no_proxies_on': '', 'network.proxy.allow_hijacking_localhost': false,
        // Downloads are captured in the page (HOOKS); never open a dialog.
        'browser.download.useDownloadDir': true, 'browser.download.folderList': 2, 'browser.download.dir': t.profile,
      },
    });
    t.page = (await t.browser.pages())[0] || (await t.browser.newPage());
    await t.page.setViewport(viewport);
    t.frame = t.page;
    t.log = { consoleErrors: [], requests: [], foreignRequests: [] };
    t.checkBeforeUse = true;
    t.page.on('console', (m) => { if (m.type() === 'error') t.log.consoleErrors.push(m.text()); });
    t.page.on('pageerror', (e) => t.log.consoleErrors.push(`pageerror: ${e.message}`));
    t.page.on('request', (r) => {
      const u = r.url();
      t.log.requests.push(u);
      if (!u.startsWith(origin + '/') && !/^(data|blob|about):/.test(u)) t.log.foreignRequests.push(u);
    });
    return t;
  }

  async goto(url) { this.frame = this.page; await this.page.goto(url, { waitUntil: 'load' }); }
  async reload() {
    this.frame = this.page;
    // BiDi's reload can return before the new document replaced the old one: wait for that.
    await this.page.evaluate(() => { window.__e2eOld = true; });
    await this.page.reload({ waitUntil: 'load' });
    await this.until(() => !window.__e2eOld && document.readyState === 'complete', null, { what: 'the reloaded document' });
  }
  run(fn, arg) { return this.frame.evaluate(fn, arg); }
  click(testid) { return this.frame.click(sel(testid)); }
  async select(testid, value) { await this.frame.select(sel(testid), value); }
  async upload(testid, name, bytes) {
    const file = path.join(this.profile, name);
    fs.writeFileSync(file, bytes);
    const input = await this.frame.$(sel(testid));
    await input.uploadFile(file);
  }
  async shot(file) { await this.page.screenshot({ path: file, fullPage: true }); }
  async enterFrame(css) {
    const handle = await this.page.waitForSelector(css);
    this.frame = await handle.contentFrame();
  }
  async leaveFrame() { this.frame = this.page; }
  /** Runs `fn` in every new document before its own scripts (BiDi script.addPreloadScript). */
  async preload(fn) { await this.page.evaluateOnNewDocument(fn); }
  requests() { return this.log.requests; }
  get proxied() { return this.recorder.seen; }
  async close() {
    try { await this.browser.close(); } finally {
      await this.recorder.close();
      fs.rmSync(this.profile, { recursive: true, force: true });
    }
    // The proxy also sees Firefox's own service calls (remote settings), which are not the page's:
    // kept in `proxied` for reading, as the harness does for Chromium's. Any other host fails.
    const foreign = [...this.log.foreignRequests, ...this.recorder.seen.filter((u) => !MOZILLA_SERVICE.test(u))];
    if (foreign.length) throw new Error(`firefox: requests left the page's origin ${this.origin}: ${foreign.join(', ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// WebKit: WebKitWebDriver (W3C WebDriver over HTTP) launching MiniBrowser under xvfb-run.

/** Firefox's own service hosts (what the browser itself calls, whatever page is open). */
const MOZILLA_SERVICE = /^https:\/\/[a-z0-9.-]+\.(mozilla\.(com|org|net)|firefox\.com|mozaws\.net):443$/;

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
/** Bound on starting a WebKit session (a healthy start takes 0.7–2 s here; a hung one never answers). */
const SESSION_TIMEOUT_MS = 30_000;
/** Bound on one WebDriver command: above the session's own 120 s script and page-load timeouts. */
const COMMAND_TIMEOUT_MS = 150_000;

/** Starts of a WebKit session tried before a test fails (each bounded by SESSION_TIMEOUT_MS). */
const ATTEMPTS = 4;

/** The WebKit and X processes alive now (`pid pgid command`), for a failed start's message. */
function webkitProcesses() {
  try {
    const out = execFileSync('ps', ['-eo', 'pid,pgid,etimes,comm'], { encoding: 'utf8' });
    const rows = out.split('\n').filter((l) => /WebKit|MiniBrowser|Xvfb|xvfb|dbus/i.test(l)).map((l) => l.trim().replace(/\s+/g, ' '));
    return rows.length ? rows.join('; ') : 'none';
  } catch (e) {
    return `(ps failed: ${e.message})`;
  }
}

class WebKitTab extends Tab {
  /**
   * Starts WebKitWebDriver + MiniBrowser. A MiniBrowser that never connects back leaves the new-session
   * request unanswered (seen once in CI: the request hung until undici's 300 s header timeout), so a
   * start is bounded by SESSION_TIMEOUT_MS and tried up to three times with a fresh driver and display.
   */
  static async open({ origin, viewport }) {
    const failures = [];
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const t = new WebKitTab('webkit');
      try {
        await t.start(origin);
        await t.setViewport(viewport);
        t.checkBeforeUse = true;
        return t;
      } catch (e) {
        failures.push(`attempt ${attempt}: ${e.message}${t.driverLog ? ` (driver: ${t.driverLog.trim()})` : ''}; WebKit processes then: ${webkitProcesses()}`);
        await t.close().catch(() => {});
        process.stderr.write(`webkit: start failed, ${attempt < ATTEMPTS ? 'retrying' : 'giving up'}: ${e.message}; WebKit processes: ${webkitProcesses()}\n`);
        // Seen in make test: starts failing in a row for a minute or two, then starting again.
        if (attempt < ATTEMPTS) await sleep(10_000);
      }
    }
    throw new Error(`WebKit did not start in ${ATTEMPTS} attempts:\n${failures.join('\n')}`);
  }

  async start(origin) {
    const t = this;
    t.origin = origin;
    t.log = { consoleErrors: [] };
    t.collected = [];
    t.recorder = await startRecorder();
    t.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sgn-lab-webkit-'));
    const port = await freePort();
    // A screen larger than any viewport the tests ask for; -a picks a free display number.
    t.driver = spawn('xvfb-run', ['-a', '-s', '-screen 0 2000x1400x24 -nolisten tcp', WEBKIT_DRIVER, `--port=${port}`],
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: { ...process.env, TMPDIR: t.tmp } });
    t.driverLog = '';
    t.driver.stderr.on('data', (d) => { t.driverLog = (t.driverLog + d).slice(-4000); });
    t.url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try { await t.http('GET', '/status', undefined, 2000); break; } catch (e) {
        if (i > 150) throw new Error(`WebKitWebDriver did not start: ${e.message}`);
        await sleep(100);
      }
    }
    const proxy = new URL(t.recorder.url).host;
    const s = await t.http('POST', '/session', { capabilities: { alwaysMatch: {
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      proxy: { proxyType: 'manual', httpProxy: proxy, sslProxy: proxy, noProxy: ['127.0.0.1', 'localhost'] },
      timeouts: { script: 120_000, pageLoad: 120_000 },
    } } }, SESSION_TIMEOUT_MS);
    t.session = `/session/${s.sessionId}`;
    t.browserVersion = s.capabilities.browserVersion;
  }

  /** One WebDriver command; its `value`, or an Error carrying the WebDriver error. */
  async http(method, route, body, timeoutMs = COMMAND_TIMEOUT_MS) {
    const r = await fetch(this.url + route, { method, headers: { 'content-type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) })
      .catch((e) => { throw new Error(`webkit ${method} ${route}: no answer (${e.name === 'TimeoutError' ? `${timeoutMs} ms` : e.message})`); });
    const j = await r.json();
    if (j.value && j.value.error) throw new Error(`webkit ${method} ${route}: ${j.value.error}: ${j.value.message}`);
    return j.value;
  }

  cmd(method, route, body, timeoutMs) { return this.http(method, this.session + route, body, timeoutMs); }

  /** Sizes the window so that the page's viewport (innerWidth × innerHeight) is `viewport`. */
  async setViewport({ width, height }) {
    await this.cmd('POST', '/window/rect', { width, height });
    const inner = await this.run(() => [innerWidth, innerHeight]);
    const rect = await this.cmd('GET', '/window/rect');
    if (inner[0] !== width || inner[1] !== height) {
      await this.cmd('POST', '/window/rect', { width: rect.width + width - inner[0], height: rect.height + height - inner[1] });
    }
  }

  async hooks() { await this.run(new Function(HOOKS)); }

  async goto(url) {
    await this.collectErrors();
    await this.leaveFrame();
    await this.cmd('POST', '/url', { url });
    await this.hooks();
  }

  async reload() {
    await this.collectErrors();
    await this.leaveFrame();
    await this.cmd('POST', '/refresh', {});
    await this.hooks();
  }

  /** Runs `fn(arg)` in the current browsing context (Execute Async Script: promises are awaited). */
  async run(fn, arg = null) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (${fn})(arguments[0]))
        .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ err: String((e && e.stack) || e) }));`;
    const r = await this.cmd('POST', '/execute/async', { script, args: [arg] });
    if (r && 'err' in r) throw new Error(`webkit: in the page: ${r.err}`);
    return r ? r.ok : r;
  }

  async find(css) {
    const e = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    return e[ELEMENT];
  }

  async click(testid) {
    const id = await this.find(sel(testid));
    await this.cmd('POST', `/element/${id}/click`, {});
  }

  /** Chooses the <option> (WebDriver's Element Click on an option selects it and fires change). */
  async select(testid, value) {
    const id = await this.find(`${sel(testid)} option[value="${value}"]`);
    await this.cmd('POST', `/element/${id}/click`, {});
  }

  async upload(testid, name, bytes) {
    const file = path.join(this.tmp, name);
    fs.writeFileSync(file, bytes);
    const id = await this.find(sel(testid));
    await this.cmd('POST', `/element/${id}/value`, { text: file });
  }

  async shot(file) {
    fs.writeFileSync(file, Buffer.from(await this.cmd('GET', '/screenshot'), 'base64'));
  }

  async enterFrame(css) {
    const id = await this.find(css);
    await this.cmd('POST', '/frame', { id: { [ELEMENT]: id } });
    this.inFrame = true;
    await this.hooks();
  }

  async leaveFrame() {
    if (!this.inFrame) return;
    await this.cmd('POST', '/frame', { id: null });
    this.inFrame = false;
  }

  /** Moves the hook-captured errors of the current document into the log (before it is replaced). */
  async collectErrors() {
    try {
      const e = await this.run(() => (window.__e2e ? window.__e2e.errors.splice(0) : []));
      this.collected.push(...e);
    } catch { /* no document yet */ }
  }

  async hookErrors() {
    await this.collectErrors();
    return this.collected;
  }

  requests() { return null; }
  get proxied() { return this.recorder.seen; }
  /** Classic WebDriver cannot run a script before the page's own. */
  get canPreload() { return false; }

  kill() {
    try { process.kill(-this.driver.pid, 'SIGTERM'); } catch { /* gone */ }
  }

  async close() {
    if (this.session) { try { await this.cmd('DELETE', '', undefined, 10_000); } catch { /* the browser may be gone already */ } }
    if (this.driver) {
      this.kill();
      await new Promise((r) => { if (this.driver.exitCode !== null) r(); else { this.driver.once('exit', r); setTimeout(r, 5000); } });
    }
    if (!this.recorder) return;
    await this.recorder.close();
    if (this.tmp) fs.rmSync(this.tmp, { recursive: true, force: true });
    if (this.recorder.seen.length) throw new Error(`webkit: requests left the machine's loopback: ${this.recorder.seen.join(', ')}`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    import('node:net').then(({ default: net }) => {
      const s = net.createServer();
      s.on('error', reject);
      s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    });
  });
}

/**
 * Opens a fresh browser of `engine` (fresh profile, nothing cached) with one tab.
 * `origin` is the static server's origin (harness.mjs `serveDist`).
 */
export async function openTab(engine, { origin, viewport = { width: 1280, height: 860 }, deviceScaleFactor = 1 } = {}) {
  if (engine === 'chromium') return ChromiumTab.open({ origin, viewport, deviceScaleFactor });
  if (engine === 'firefox' || engine === 'webkit') {
    const tab = await (engine === 'firefox' ? FirefoxTab : WebKitTab).open({ origin, viewport });
    try {
      await tab.checkRecorder();
    } catch (e) {
      await tab.close().catch(() => {});
      throw e;
    }
    return tab;
  }
  throw new Error(`unknown engine ${engine}`);
}
