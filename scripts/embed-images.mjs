// The embeds' posters and the README's blog screenshot, from the real page: `node
// scripts/embed-images.mjs` after `scripts/build-web.sh` (then build again, so dist/ carries the
// new posters).
//   www/posters/{train,tails,tails-<kind>,spectrum}.png  one run of the lab's default setup
//       (seed 1) in a `lab` embed 760 px wide: trained to the end, measured, each figure cut out.
//       They are committed pictures rather than drawn from each link's numbers because every one
//       of these figures needs a training run and a measurement (seconds to a minute of engine
//       work), which is what an embed must not do before the reader asks (src/experiment/embed.rs).
//   docs/img/embed-blog.png  a blog post (another origin) with two embeds, after Run.
import path from 'node:path';
import fs from 'node:fs';
import { serveDist, launch, ROOT } from '../tests/e2e/harness.mjs';
import { serveBlog, post } from '../tests/e2e/blog.mjs';

const posters = path.join(ROOT, 'www', 'posters');
fs.mkdirSync(posters, { recursive: true });
const server = await serveDist();
const { page, close } = await launch({ origin: server.origin, deviceScaleFactor: 1, viewport: { width: 760, height: 900 } });
let blog;
try {
  // The posters: the lab's default setup (seed 1), trained to the end and measured.
  await page.goto(server.base + '#seed=1&embed=1&view=lab');
  await page.getByTestId('embed-run').click();
  await page.waitForFunction(() => /^Finished/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 600_000 });
  await page.getByTestId('measure').click();
  await page.waitForFunction(() => /^Measured/.test(document.querySelector('[data-testid="status"]').textContent)
    && document.querySelector('[data-testid="structure-body"]').getAttribute('aria-busy') === 'false', null, { timeout: 600_000 });
  // A poster is a picture: no buttons on it (the chart switches, PNG / CSV).
  await page.addStyleTag({ content: '.views, .exports { visibility: hidden !important; }' });
  await page.waitForTimeout(300);
  const shot = (locator, name) => locator.screenshot({ path: path.join(posters, `${name}.png`) });
  await shot(page.locator('.train-fig'), 'train');
  await shot(page.getByTestId('tails'), 'tails');
  for (const k of ['dim-g', 'dim-sgn', 'iter-g', 'iter-sgn']) await shot(page.getByTestId(`fig-${k}`), `tails-${k}`);
  await shot(page.locator('[data-part="spectrum"] figure').first(), 'spectrum');
  console.log('wrote www/posters/*.png');

  // The README: a post with two embeds (the training run, one tail sample), after Run.
  await page.setViewportSize({ width: 1000, height: 900 });
  await page.goto('about:blank');
  await page.goto(server.base + '#seed=8&data=digits&epochs=2');
  await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
  const snippets = [];
  for (const [v, kind] of [['train', ''], ['tails', 'dim-sgn']]) {
    await page.getByTestId('embed-view').selectOption(v);
    if (kind) await page.getByTestId('embed-kind').selectOption(kind);
    await page.getByTestId('copy-embed').click();
    snippets.push(await page.getByTestId('share-code').inputValue());
  }
  blog = await serveBlog((u) => (u === '/post.html' ? post(snippets) : null));
  await page.goto(blog.url);
  for (const [k, el] of (await page.locator('iframe[data-sgn-lab]').elementHandles()).entries()) {
    const f = await el.contentFrame();
    await el.scrollIntoViewIfNeeded();
    await f.getByTestId('embed-run').click();
    await f.waitForFunction((want) => new RegExp(want).test(document.querySelector('[data-testid="status"]').textContent)
      && document.querySelector('[data-testid="structure-body"]').getAttribute('aria-busy') !== 'true', ['^Finished', '^Measured'][k], { timeout: 300_000 });
  }
  // The viewport as tall as the post: Chromium does not paint cross-origin iframes outside it.
  await page.setViewportSize({ width: 1000, height: await page.evaluate(() => document.documentElement.scrollHeight) });
  await page.waitForTimeout(1000);
  await page.screenshot({ path: path.join(ROOT, 'docs', 'img', 'embed-blog.png') });
  console.log('wrote docs/img/embed-blog.png');
} finally {
  await close({ expectForeign: true });
  await blog?.close();
  await server.close();
}
