// End-to-end: "copy embed code" gives an <iframe> that shows one experiment with minimal chrome,
// works when embedded in another page, and hides what the author asked it to hide.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

test('embed code: an iframe in a blog page runs the experiment with the setup hidden', { timeout: 180_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=8&data=digits');
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    await page.getByTestId('hide-setup').check();
    await page.getByTestId('copy-embed').click();
    const snippet = await page.getByTestId('share-code').inputValue();
    assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/some\/sub-path\/#v1\.[A-Za-z0-9_-]+&embed=1&hide=setup,seed,upload" /, snippet);

    // A blog post on another origin (about:blank here) embedding the snippet.
    await page.setContent(`<!doctype html><html><body><h1>My post</h1>${snippet}</body></html>`);
    const frame = page.frameLocator('iframe');
    await frame.getByTestId('play').waitFor();
    const f = page.frames().find((x) => x.url().includes('embed=1'));
    await f.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    assert.ok(await f.evaluate(() => document.body.classList.contains('embed')), 'embed mode');
    assert.equal(await frame.getByTestId('settings').isVisible(), false, 'setup hidden');
    assert.equal(await frame.getByTestId('seed').isVisible(), false, 'seed control hidden');
    assert.equal(await frame.getByTestId('upload').isVisible(), false, 'upload hidden');
    assert.equal(await frame.getByTestId('copy-embed').isVisible(), false, 'share box hidden in the embed');
    assert.equal(await frame.getByTestId('loss-chart').isVisible(), true, 'chart shown');
    assert.match(await frame.getByTestId('open-full').getAttribute('href'), /#v1\.[A-Za-z0-9_-]+$/);
    assert.equal(await frame.getByTestId('seed').inputValue(), '8', 'the embed runs the same seed');
    assert.equal(await frame.getByTestId('set-data').inputValue(), 'digits');
    await frame.getByTestId('step').click();
    await f.waitForFunction(() => document.querySelector('[data-testid="r-step"]').textContent === '1');
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});
