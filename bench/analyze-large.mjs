// Large gradient dumps (docs/BENCHMARKS.md, "Large inputs"): time and peak memory of
//   1. `sgn-lab analyze` (release) on N × P float32 `.npy` dumps of 0.5, 1 and 2 GB (N = 1000 per-sample
//      gradients, P = 125k / 250k / 500k), memory-mapped: peak anonymous memory (RssAnon: what the
//      analysis allocates) and peak resident set (VmHWM: also counts the mapped file's pages, which
//      the kernel may drop at any time), sampled from /proc every 50 ms;
//   2. the page (dist/, headless Chromium) on a 1 × 25 M float32 vector (100 MB): time from the drop
//      to the result and the engine's linear memory before and after (its high-water mark).
// The files are generated here into target/big/ (never committed) by a seeded xorshift PRNG.
//
//   node bench/analyze-large.mjs [--sizes 0.5,1,2] [--no-page]
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const BIG = path.join(ROOT, 'target/big');
const LAB = path.join(ROOT, 'target/release/sgn-lab');
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
const sizes = arg('--sizes', '0.5,1,2').split(',').map(Number);

/** A rows × cols float32 .npy of heavy-tailed values (Student-t₃-like), written in 4 MiB pieces. */
function writeNpy(file, rows, cols) {
  if (fs.existsSync(file) && fs.statSync(file).size > 4 * rows * cols) return;
  const h0 = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const h = h0 + ' '.repeat(63 - ((10 + h0.length) % 64)) + '\n';
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, h.length & 255, h.length >> 8]), Buffer.from(h, 'latin1')]));
  let x = 2463534242;
  const u = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return ((x >>> 0) + 0.5) / 4294967296; };
  const chunk = new Float32Array(1 << 20);
  for (let done = 0, n = rows * cols; done < n;) {
    const m = Math.min(chunk.length, n - done);
    for (let i = 0; i < m; i++) {
      const z = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
      const c = -2 * (Math.log(u()) + Math.log(u()) + Math.log(u())) / 2; // χ²₃ / 2 ≈ Gamma(1.5)
      chunk[i] = 1e-3 * z / Math.sqrt(c / 1.5);
    }
    fs.writeSync(fd, new Uint8Array(chunk.buffer, 0, 4 * m));
    done += m;
  }
  fs.closeSync(fd);
}

/** Runs the CLI, sampling /proc/PID/status; resolves to { seconds, rssAnonMiB, hwmMiB, out }. */
function measure(args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(LAB, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    let anon = 0;
    let hwm = 0;
    const field = (text, name) => Number((text.match(new RegExp(`${name}:\\s+(\\d+) kB`)) || [0, 0])[1]) / 1024;
    const timer = setInterval(() => {
      try {
        const st = fs.readFileSync(`/proc/${p.pid}/status`, 'utf8');
        anon = Math.max(anon, field(st, 'RssAnon'));
        hwm = Math.max(hwm, field(st, 'VmHWM'));
      } catch { /* exited */ }
    }, 50);
    p.on('close', (code) => {
      clearInterval(timer);
      if (code !== 0) { reject(new Error(`sgn-lab ${args.join(' ')}: exit ${code}: ${err}`)); return; }
      resolve({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, rssAnonMiB: anon, hwmMiB: hwm, out, err });
    });
  });
}

fs.mkdirSync(BIG, { recursive: true });
if (!fs.existsSync(LAB)) throw new Error('build the CLI first: cargo build --release --bin sgn-lab');
console.log('| file | N × P | time | peak RssAnon | peak VmHWM (incl. mapped file pages) | estimate (stderr) |');
console.log('|---|---|---|---|---|---|');
for (const gb of sizes) {
  const rows = 1000;
  const cols = Math.round((gb * 1e9) / 4 / rows);
  const file = path.join(BIG, `grads-${rows}x${cols}.npy`);
  writeNpy(file, rows, cols);
  const r = await measure(['analyze', file]);
  const est = (r.err.match(/needs about ([\d.]+ MiB)/) || [0, '—'])[1];
  const a = JSON.parse(r.out);
  console.log(`| ${(fs.statSync(file).size / 1e9).toFixed(2)} GB | ${rows} × ${cols} | ${r.seconds.toFixed(1)} s | ${r.rssAnonMiB.toFixed(0)} MiB | ${r.hwmMiB.toFixed(0)} MiB | ${est} |`);
  console.log(`|  | dimension-wise ${a.dimension_wise.power_law}/${a.dimension_wise.tested}, spectrum rank ${a.spectrum ? a.spectrum.rank : '—'} |  |  |  |  |`);
}

if (!process.argv.includes('--no-page')) {
  const { serveDist, launch } = await import('../tests/e2e/harness.mjs');
  const file = path.join(BIG, 'vector-1x25000000.npy');
  writeNpy(file, 1, 25_000_000);
  const server = await serveDist();
  const { page, close } = await launch({ origin: server.origin });
  try {
    await page.goto(server.base + '#seed=4&data=digits');
    await page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled, null, { timeout: 120_000 });
    for (let run = 1; run <= 3; run++) {
      const before = await page.evaluate(() => window.sgnLab.engineStats());
      const t0 = Date.now();
      await page.getByTestId('upload-file').setInputFiles(file);
      await page.waitForFunction(() => /^Analysing/.test(document.querySelector('[data-testid="upload-status"]').textContent), null, { timeout: 120_000 });
      const read = (Date.now() - t0) / 1000;
      await page.waitForFunction(() => /columns, rows are/.test(document.querySelector('[data-testid="upload-status"]').textContent), null, { timeout: 300_000 });
      const total = (Date.now() - t0) / 1000;
      const after = await page.evaluate(() => window.sgnLab.engineStats());
      console.log(`page, 100 MB vector, run ${run}: read ${read.toFixed(1)} s, total ${total.toFixed(1)} s; engine memory ` +
        `${(before.wasmBytes / 2 ** 20).toFixed(0)} → ${(after.wasmBytes / 2 ** 20).toFixed(0)} MiB (high-water); live after ${(after.liveBytes / 2 ** 20).toFixed(1)} MiB`);
    }
  } finally {
    await close();
    await server.close();
  }
}
