// End-to-end: "analyze your own gradients" — a CSV dump is analysed in the page; a malformed file
// gives a clear error and the rest of the page keeps working; nothing is uploaded anywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, canvasInk } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

/** A seeded dump: 150 rows × 60 columns of Student-t₃-like values (ratio of normal and chi). */
function dump() {
  let s = 12345;
  const u = () => { s = (s * 1103515245 + 12345) % 2147483648; return (s + 0.5) / 2147483648; };
  const n = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const rows = [Array.from({ length: 60 }, (_, j) => `p${j}`).join(',')];
  for (let i = 0; i < 150; i++) {
    rows.push(Array.from({ length: 60 }, () => (n() / Math.sqrt((n() ** 2 + n() ** 2 + n() ** 2) / 3)).toPrecision(6)).join(','));
  }
  return rows.join('\n') + '\n';
}

test('a CSV dump is analysed in the page; a bad file is a readable error', { timeout: 180_000 }, async () => {
  const { page, log, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=4&data=digits');
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    const requestsBefore = log.requests.length;

    await page.getByTestId('upload-file').setInputFiles({ name: 'grads.csv', mimeType: 'text/csv', buffer: Buffer.from(dump()) });
    await page.waitForFunction(() => !document.querySelector('[data-testid="upload-body"]').hidden, null, { timeout: 60_000 });
    assert.match(await page.getByTestId('upload-status').textContent(), /150 rows × 60 columns/);
    const table = await page.getByTestId('upload-table').textContent();
    assert.match(table, /dimension-wise power-law rate.*\d+ % \(\d+\/150\)/s, table);
    assert.match(table, /covariance spectrum of the rows\s*rank \d+/, table);
    for (const id of ['upload-ccdf', 'upload-hist', 'upload-rank']) {
      const ink = await canvasInk(page, id);
      assert.ok(ink.ink > 3000, `${id} drawn (${ink.ink})`);
    }

    await page.getByTestId('upload-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('1,2,3\n4,5\n') });
    await page.waitForFunction(() => document.querySelector('[data-testid="upload-status"]').classList.contains('bad'), null, { timeout: 30_000 });
    assert.equal(await page.getByTestId('upload-status').textContent(), 'bad.csv: line 2: row has 2 columns but the first row has 3');
    await page.getByTestId('upload-file').setInputFiles({ name: 'nan.csv', mimeType: 'text/csv', buffer: Buffer.from('1,2\nNaN,3\n') });
    await page.waitForFunction(() => /not a finite number/.test(document.querySelector('[data-testid="upload-status"]').textContent));

    // The rest of the page still works.
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="r-step"]').textContent === '1');
    assert.equal(log.requests.length, requestsBefore, 'the file was not sent anywhere');
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
  }
});
