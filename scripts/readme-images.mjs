// The README's screenshots, one per view, from the real page: `node scripts/readme-images.mjs`
// after `scripts/build-web.sh`. Writes docs/img/{lab,tails,spectrum,tour-heavy-tails,tour,upload}.png.
import path from 'node:path';
import { serveDist, launch, ROOT } from '../tests/e2e/harness.mjs';

const out = (name) => path.join(ROOT, 'docs', 'img', `${name}.png`);
const server = await serveDist();
const { page, close } = await launch({ origin: server.origin, deviceScaleFactor: 1.5, viewport: { width: 1280, height: 900 } });
const waitStatus = (re, timeout = 180_000) => page.waitForFunction((src) => new RegExp(src).test(document.querySelector('[data-testid="status"]').textContent), re.source, { timeout });
try {
  await page.goto(server.base + '#seed=7');
  await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
  await page.getByTestId('play').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="r-step"]').textContent) >= 400, null, { timeout: 120_000 });
  await page.getByTestId('play').click();
  await waitStatus(/^Paused/);
  await page.screenshot({ path: out('lab') });

  await page.getByTestId('measure').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="structure-body"]').getAttribute('aria-busy') === 'false', null, { timeout: 180_000 });
  await page.getByTestId('tails').screenshot({ path: out('tails') });
  await page.locator('.figs.four').screenshot({ path: out('spectrum') });

  // The tour's first step (heavy tails, over the page's replicates), then the mechanism demo.
  const runStep = async () => {
    await page.getByTestId('tour-run').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="tour-result"]').hidden, null, { timeout: 900_000 });
    await page.waitForTimeout(500);
  };
  for (let i = 0; i < 12 && !/Heavy tails/.test(await page.getByTestId('tour-heading').textContent()); i++) await page.getByTestId('tour-prev').click();
  await runStep();
  await page.getByTestId('tour').screenshot({ path: out('tour-heavy-tails') });
  for (let i = 0; i < 12 && !/Mechanism/.test(await page.getByTestId('tour-heading').textContent()); i++) await page.getByTestId('tour-next').click();
  await runStep();
  await page.getByTestId('tour').screenshot({ path: out('tour') });

  // Your own gradients: 150 rows of heavy-tailed per-sample gradients.
  let s = 12345;
  const rnd = () => { s = (s * 1103515245 + 12345) % 2 ** 31; return (s + 0.5) / 2 ** 31; };
  const rows = [];
  for (let i = 0; i < 150; i++) rows.push(Array.from({ length: 60 }, (_, j) => ((rnd() - 0.5) / (rnd() ** 0.6) / (1 + j) ** 0.5).toPrecision(6)).join(','));
  await page.getByTestId('upload-file').setInputFiles({ name: 'my-gradients.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n') + '\n') });
  await page.waitForFunction(() => !document.querySelector('[data-testid="upload-body"]').hidden, null, { timeout: 60_000 });
  await page.waitForTimeout(300);
  await page.getByTestId('upload').screenshot({ path: out('upload') });
  console.log('wrote docs/img/{lab,tails,spectrum,tour-heavy-tails,tour,upload}.png');
} finally {
  await close();
  await server.close();
}
