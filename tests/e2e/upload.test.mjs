// End-to-end: "analyze your own gradients" — a CSV dump is analysed in the page; a malformed file
// gives a clear error and the rest of the page keeps working; nothing is uploaded anywhere. The
// recipes' gradient bundles (tests/fixtures/bundle, scripts/check-recipes.sh) are analysed part by
// part with the same numbers as `sgn-lab analyze`; a 100 MB float32 vector streams into the engine
// with a progress bar, can be cancelled, and is analysed within the memory cap.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import fss from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serveDist, launch, canvasInk, screenshotPath, ROOT } from './harness.mjs';

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

const FIXTURES = path.join(ROOT, 'tests/fixtures/bundle');
const sgnLab = (...args) => JSON.parse(execFileSync('cargo', ['run', '--quiet', '--bin', 'sgn-lab', '--', ...args],
  { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 }));

/** Deep equality with numbers to `rtol` relative (the spectrum's eigensolver runs in wasm32
 * sequentially and natively threaded: round-off apart, PROTOCOL §5.2). */
function close(a, b, where = '$', rtol = 1e-9) {
  // The truncated-lognormal fit inside the Vuong test is ill-conditioned on power-law tails and
  // agrees across platforms to 1e-3 only (PROTOCOL §5.2); verdicts are compared exactly.
  if (/vs_lognormal/.test(where)) rtol = Math.max(rtol, 1e-3);
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b), 1e-300) || Math.abs(a - b) < 1e-300, `${where}: ${a} vs ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    assert.equal(a.length, b.length, `${where}: length`);
    a.forEach((x, i) => close(x, b[i], `${where}[${i}]`, rtol));
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${where}: keys`);
    for (const k of Object.keys(a)) close(a[k], b[k], `${where}.${k}`, rtol);
  } else {
    assert.deepEqual(a, b, where);
  }
}

test('the recipes\' bundles are analysed part by part, with the CLI\'s numbers', { timeout: 300_000 }, async () => {
  const { page, log, close: closePage } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=4&data=digits');
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    const requestsBefore = log.requests.length;
    // The upload view links the recipes and their documentation, served with the page.
    assert.equal(await page.getByTestId('upload-docs').getAttribute('href'), 'recipes/YOUR-GRADIENTS.md');
    assert.match(await page.getByTestId('upload-limits').textContent(), /up to \d+ MiB/);
    const drop = async (name) => {
      await page.getByTestId('upload-file').setInputFiles(path.join(FIXTURES, name));
      await page.waitForFunction((n) => {
        const s = document.querySelector('[data-testid="upload-status"]');
        return s.textContent.startsWith(`${n}:`) || s.classList.contains('bad');
      }, name, { timeout: 60_000 });
      return page.getByTestId('upload-status').textContent();
    };
    const save = async (id) => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(id).click()]);
      return { name: d.suggestedFilename(), text: await fs.readFile(await d.path(), 'utf8') };
    };

    assert.equal(await drop('tiny-jax.npz'), 'tiny-jax.npz: bundle with dim, iter, gram (jax 0.10.2).');
    const table = await page.getByTestId('upload-table').textContent();
    assert.match(table, /P = 227, N = 512, B = 16, step 200, seed 7, float32/);
    for (const r of ['dimension-wise g', 'dimension-wise SGN', 'iteration-wise g', 'iteration-wise SGN']) {
      assert.match(table, new RegExp(`Table A: ${r}\\d+ % \\(\\d+/\\d+\\)`), `${r}: ${table}`);
    }
    assert.match(table, /dimension-wise SGN \(all 227 coordinates[^)]*\): Gaussian\?Shapiro–Wilk p/);
    assert.match(table, /Gram matrix checksN = 64, P = 227.*passed/);
    assert.match(table, /covariance spectrum \(from the Gram matrix\)rank 63/);
    for (const id of ['upload-ccdf', 'upload-hist', 'upload-rank']) {
      const ink = await canvasInk(page, id);
      assert.ok(ink.ink > 3000, `${id} drawn (${ink.ink})`);
    }
    assert.match(await page.getByTestId('upload-ccdf').getAttribute('data-series'), /power law, α̂ = /);
    assert.match(await page.getByTestId('upload-rank').getAttribute('data-series'), /^spectrum/);
    await page.getByTestId('upload').screenshot({ path: screenshotPath('upload-bundle.png') });
    // The page's analysis is the CLI's, number for number.
    const json = await save('upload-json');
    assert.equal(json.name, 'sgn-lab-upload-tiny-jax-analysis.json');
    const cli = sgnLab('analyze', path.join(FIXTURES, 'tiny-jax.npz'));
    close(JSON.parse(json.text), cli);
    const csv = await save('csv-upload-ccdf');
    assert.match(csv.name, /dimension-wise-ccdf\.csv$/);
    assert.match(csv.text, /^x,ccdf\n/);

    // The deflated copy gives the same analysis.
    assert.equal(await drop('tiny-jax-deflated.npz'), 'tiny-jax-deflated.npz: bundle with dim, iter, gram (jax 0.10.2).');
    close(JSON.parse((await save('upload-json')).text), cli);

    // Only the gram part: the other views say so, the spectrum is drawn.
    assert.equal(await drop('tiny-jax-gram-only.npz'), 'tiny-jax-gram-only.npz: bundle with gram (jax 0.10.2).');
    const only = await page.getByTestId('upload-table').textContent();
    assert.match(only, /Table A: dimension-wise gnot in this bundle/);
    assert.match(only, /Table A: iteration-wise SGNnot in this bundle/);
    assert.match(only, /covariance spectrum \(from the Gram matrix\)rank 63/);
    assert.ok((await canvasInk(page, 'upload-rank')).ink > 3000);
    assert.doesNotMatch(await page.getByTestId('upload-ccdf').getAttribute('data-series') || '', /CCDF/);

    // A Gram matrix that is not positive semi-definite: the check's message, nothing stale.
    const bad = await drop('bad-gram.npz');
    assert.match(bad, /^bad-gram\.npz: the Gram matrix is not positive semi-definite: its smallest eigenvalue -1\.000e0 is below −1e-6 × trace/);
    assert.equal(await page.getByTestId('upload-body').isHidden(), true);
    // The PyTorch recipe's bundle.
    assert.match(await drop('tiny-torch.npz'), /^tiny-torch\.npz: bundle with dim, iter, gram \(torch 1\.13/);
    assert.match(await page.getByTestId('upload-table').textContent(), /Table A: iteration-wise gnot in this bundle/);
    assert.equal(log.requests.length, requestsBefore, 'nothing was sent anywhere');
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await closePage();
  }
});

/** A 1 × n float32 .npy of heavy-tailed values (a Student-t₃-like ratio), written in pieces. */
function writeBigVector(file, n) {
  const header0 = `{'descr': '<f4', 'fortran_order': False, 'shape': (1, ${n}), }`;
  const header = header0 + ' '.repeat(63 - ((10 + header0.length) % 64)) + '\n';
  const fd = fss.openSync(file, 'w');
  fss.writeSync(fd, Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, header.length & 255, header.length >> 8]), Buffer.from(header, 'latin1')]));
  let s = 987654321;
  const u = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s + 0.5) / 4294967296; };
  const chunk = new Float32Array(1 << 20);
  for (let done = 0; done < n;) {
    const m = Math.min(chunk.length, n - done);
    for (let i = 0; i < m; i++) {
      const z = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
      const c = -2 * Math.log(u()) - 2 * Math.log(u()) * Math.cos(2 * Math.PI * u()) ** 2;
      chunk[i] = 1e-3 * z / Math.sqrt(c / 3 + 1e-12);
    }
    fss.writeSync(fd, new Uint8Array(chunk.buffer, 0, 4 * m));
    done += m;
  }
  fss.closeSync(fd);
}

test('a 100 MB float32 vector streams into the engine with progress and Cancel, under the memory cap', { timeout: 600_000 }, async () => {
  const n = 25_000_000;
  const file = path.join(os.tmpdir(), `sgn-lab-grad-${process.pid}.npy`);
  writeBigVector(file, n);
  const { page, log, close: closePage } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=4&data=digits');
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="r-step"]').textContent === '1');
    // Cancel while the file is being read: the engine is replaced, the run is back at its step.
    await page.getByTestId('upload-file').setInputFiles(file);
    await page.waitForFunction(() => /^Reading sgn-lab-grad-\d+\.npy: [1-9]/.test(document.querySelector('[data-testid="upload-status"]').textContent), null, { timeout: 60_000 });
    assert.equal(await page.getByTestId('upload-progress').isVisible(), true);
    await page.getByTestId('upload-cancel').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="upload-status"]').textContent === 'Analysis cancelled.');
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 60_000 });
    assert.equal(await page.getByTestId('r-step').textContent(), '1');

    // The whole file: bytes read, then the analysis's own progress, then the result.
    const before = await page.evaluate(() => window.sgnLab.engineStats());
    const t0 = Date.now();
    await page.getByTestId('upload-file').setInputFiles(file);
    await page.waitForFunction(() => /^Analysing sgn-lab-grad-\d+\.npy: \d+ %/.test(document.querySelector('[data-testid="upload-status"]').textContent), null, { timeout: 120_000 });
    await page.waitForFunction(() => !document.querySelector('[data-testid="upload-body"]').hidden, null, { timeout: 300_000 });
    const seconds = (Date.now() - t0) / 1000;
    const after = await page.evaluate(() => window.sgnLab.engineStats());
    assert.match(await page.getByTestId('upload-status').textContent(), /1 rows × 25000000 columns/);
    const table = await page.getByTestId('upload-table').textContent();
    assert.match(table, /dimension-wise power-law rate \(each row pooled over its columns\)\d+ % \(\d\/1\)/);
    assert.match(table, /example rowpower law|example rownot a power law/);
    assert.ok((await canvasInk(page, 'upload-ccdf')).ink > 3000, 'the CCDF of the 25 M values (from its summary)');
    const grew = (after.wasmBytes - before.wasmBytes) / 2 ** 20;
    console.log(`# 100 MB vector: ${seconds.toFixed(1)} s from drop to result; engine memory ${(before.wasmBytes / 2 ** 20).toFixed(0)} → ${(after.wasmBytes / 2 ** 20).toFixed(0)} MiB (high-water, +${grew.toFixed(0)} MiB; file 95.4 MiB)`);
    assert.ok(grew < 512, `the upload's memory (${grew.toFixed(0)} MiB) stays under the 512 MiB cap`);
    await page.getByTestId('upload').screenshot({ path: screenshotPath('upload-100mb.png') });
    // The engine gave the buffer back: live bytes return near the level before the upload.
    assert.ok(after.liveBytes - before.liveBytes < 8 * 2 ** 20, `live bytes ${before.liveBytes} → ${after.liveBytes}`);
    // The rest of the page still works.
    await page.getByTestId('step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="r-step"]').textContent === '2');
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await closePage();
    fss.rmSync(file, { force: true });
  }
});
