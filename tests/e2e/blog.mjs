// A blog on a second loopback origin for the embed tests (tests/e2e/embed.test.mjs and
// tests/e2e/engines/embed.test.mjs): the lab is served from 127.0.0.1 (harness `serveDist`), the
// post from `localhost` on another port, so the iframes are cross-origin to the page that holds
// them, as on a real blog. The post is plain HTML with the embed codes pasted as they are.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { DIST } from './harness.mjs';

/** Serves `html(path)` (null: 404) from http://localhost:PORT, the post at /post.html;
 * resolves to { origin, url, close }. */
export function serveBlog(html) {
  const server = http.createServer((req, res) => {
    const body = html(new URL(req.url, 'http://x').pathname);
    if (body === null || body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://localhost:${server.address().port}`;
      resolve({
        origin,
        url: `${origin}/post.html`,
        close: () => { server.closeAllConnections?.(); return new Promise((r) => server.close(r)); },
      });
    });
  });
}

/** A post: a title, paragraphs of text around each snippet, in a 760 px text column. */
export function post(snippets) {
  const para = (i) => `<p>Paragraph ${i}. Stochastic gradient noise is the difference between a minibatch gradient and the full-batch gradient at the same weights; the figure below is computed in your browser when you ask for it.</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A post about gradient noise</title><link rel="icon" href="data:,">
<style>body{max-width:760px;margin:1.5rem auto;padding:0 1rem;font:17px/1.55 Georgia,serif;color:#222}h1{font-size:1.7rem}</style></head>
<body><h1>What does the noise of SGD look like?</h1>${snippets.map((s, i) => `${para(i + 1)}\n${s}\n`).join('')}${para(snippets.length + 1)}</body></html>`;
}

/** The dist/ JS files of the engine's workers: a request for one means a worker started. */
export function workerChunks() {
  // A worker's entry chunk sets its own `self.onmessage` (the lab's www/worker.js and the tour
  // pool's www/pool-worker.js); the page's chunks only talk to workers.
  const chunks = fs.readdirSync(DIST).filter((x) => x.endsWith('.js') && x !== 'sw.js')
    .filter((x) => fs.readFileSync(path.join(DIST, x), 'utf8').includes('self.onmessage'));
  if (chunks.length === 0) throw new Error('no worker chunk in dist/');
  return chunks;
}

/** Requests that start the engine or feed it: a worker's script and the datasets. */
export function engineRequests(served) {
  const ws = workerChunks();
  return served.filter((r) => ws.some((w) => r.url.endsWith(`/${w}`)) || r.url.includes('/assets/'));
}
