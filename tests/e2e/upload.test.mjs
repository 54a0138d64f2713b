// End-to-end: "analyze your own gradients" — a CSV dump is analysed in the page; a malformed file
// gives a clear error and the rest of the page keeps working; nothing is uploaded anywhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { serveDist, launch, canvasInk, screenshotPath } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

/** A little-endian float64 .npy of `rows` × `cols` values from `f(i, j)`. */
function npy(rows, cols, f) {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, header.length & 255, header.length >> 8]), Buffer.from(header, 'latin1')]);
  const data = Buffer.alloc(8 * rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data.writeDoubleLE(f(i, j), 8 * (i * cols + j));
  return Buffer.concat([head, data]);
}

const attr = (page, id, name) => page.getByTestId(id).getAttribute(name);

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
    assert.match(table, /noise row − mean row[^:]*: dimension-wise power-law rate\s*\d+ % \(\d+\/150\)/, table);
    assert.match(table, /noise column 0 Gaussian\?\s*Shapiro–Wilk p/, table);
    assert.match(table, /covariance spectrum of the rows\s*rank \d+/, table);
    for (const id of ['upload-ccdf', 'upload-hist', 'upload-rank']) {
      const ink = await canvasInk(page, id);
      assert.ok(ink.ink > 3000, `${id} drawn (${ink.ink})`);
    }
    await page.getByTestId('upload').screenshot({ path: screenshotPath('upload-csv.png') });
    // The row-0 CCDF carries the example row's fitted power law.
    assert.match(await attr(page, 'upload-ccdf', 'data-series'), /empirical CCDF \| power law, α̂ = /);
    assert.match(await attr(page, 'upload-rank', 'data-series'), /^spectrum/);
    // Every chart exports PNG and CSV; the analysis exports JSON.
    const save = async (id) => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(id).click()]);
      return { name: d.suggestedFilename(), text: await fs.readFile(await d.path(), 'latin1') };
    };
    for (const id of ['upload-ccdf', 'upload-hist', 'upload-rank']) {
      const png = await save(`png-${id}`);
      assert.equal(png.text.slice(1, 4), 'PNG', `${id} PNG`);
      const csv = await save(`csv-${id}`);
      assert.ok(csv.text.trim().split('\n').length > 50, `${id} CSV has the data (${csv.name})`);
    }
    assert.equal((await save('csv-upload-ccdf')).text.trim().split('\n').length, 61, 'row 0: header + 60 values');
    const analysis = await save('upload-json');
    assert.equal(analysis.name, 'sgn-lab-upload-grads-analysis.json');
    const parsed = JSON.parse(analysis.text);
    assert.equal(parsed.rows, 150);
    assert.equal(parsed.cols, 60);

    // A second file with too few rows for a spectrum: nothing of the first file's charts stays.
    await page.getByTestId('upload-file').setInputFiles({ name: 'wide.npy', mimeType: 'application/octet-stream',
      buffer: npy(3, 40, (i, j) => Math.sin(1 + 7 * i + 3 * j) * (1 + j)) });
    await page.waitForFunction(() => /wide\.npy: 3 rows/.test(document.querySelector('[data-testid="upload-status"]').textContent), null, { timeout: 60_000 });
    assert.doesNotMatch(await page.getByTestId('upload-table').textContent(), /covariance spectrum of the rows/);
    assert.doesNotMatch(await attr(page, 'upload-rank', 'data-series'), /^spectrum/, 'the first file\'s spectrum is gone');
    assert.match(await attr(page, 'upload-rank', 'aria-label'), /not available/);
    await page.getByTestId('upload').screenshot({ path: screenshotPath('upload-wide.png') });
    assert.equal((await save('csv-upload-rank')).text.trim(), 'eigenvalue', 'no eigenvalues exported for this file');
    assert.equal((await save('csv-upload-ccdf')).text.trim().split('\n').length, 41, 'row 0 of the new file');

    await page.getByTestId('upload-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('1,2,3\n4,5\n') });
    await page.waitForFunction(() => document.querySelector('[data-testid="upload-status"]').classList.contains('bad'), null, { timeout: 30_000 });
    assert.equal(await page.getByTestId('upload-status').textContent(), 'bad.csv: line 2: row has 2 columns but the first row has 3');
    assert.equal(await page.getByTestId('upload-body').isHidden(), true, 'the previous file\'s table and charts are gone under the error');
    assert.equal(await page.getByTestId('upload-json').isHidden(), true);
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
