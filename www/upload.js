// "Analyze your own gradients": reads a dropped/picked file in the page, hands its bytes to the
// worker, and renders the analysis (text via textContent only; charts via the wasm code).
import { sample_csv } from '../pkg/sgn_lab.js';
import { fitCanvas } from './canvas.js';
import { setHover } from './hover.js';
import { addChartExports, jsonButton } from './exports.js';

const q = (id) => document.querySelector(`[data-testid="${id}"]`);
const fmt = (v) => (v === null || v === undefined ? '—' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? Number(v.toPrecision(3)).toString() : v.toExponential(2));
const rate = (r) => (r.rate === null ? `— (${r.skipped} not testable)` : `${(100 * r.rate).toFixed(0)} % (${r.power_law}/${r.tested})`);

function row(label, value) {
  const tr = document.createElement('tr');
  const th = document.createElement('th');
  th.scope = 'row';
  th.textContent = label;
  const td = document.createElement('td');
  td.textContent = value;
  tr.append(th, td);
  return tr;
}

function verdict(r) {
  if (!r) return 'not testable';
  return `${r.power_law ? 'power law' : 'not a power law'} (${r.rule} rule: n = ${r.n}, tail ${r.n_tail}, x_min = ${fmt(r.xmin)}, ` +
    `α̂ = ${fmt(r.alpha)} ± ${fmt(r.alpha_stderr)}, d_ks = ${fmt(r.ks_d)} vs d_c = ${fmt(r.ks_critical)})`;
}

/** Bumped by every new file and by Cancel: a read that finishes after either is dropped. */
let sending = 0;

/** The file's bytes, read as a stream so `onProgress(bytesRead)` can follow a large file. */
async function readWithProgress(file, onProgress) {
  if (!file.stream) return file.arrayBuffer();
  const reader = file.stream().getReader();
  const out = new Uint8Array(file.size);
  let done = 0;
  let last = 0;
  for (;;) {
    const { done: end, value } = await reader.read();
    if (end) break;
    out.set(value.subarray(0, Math.max(0, out.length - done)), done);
    done += value.length;
    if (performance.now() - last > 100) { last = performance.now(); onProgress(done); }
  }
  onProgress(done);
  return done === out.length ? out.buffer : out.slice(0, done).buffer;
}

/** The analysis on show (for the exports), or null. */
let shown = null;

/** Removes the previous file's table and charts: a new file (or its error) never sits over the
 * old file's results. */
export function clearUpload() {
  shown = null;
  q('upload-progress').hidden = true;
  q('upload-body').hidden = true;
  q('upload-json').hidden = true;
  q('upload-table').replaceChildren();
  for (const id of ['upload-ccdf', 'upload-hist', 'upload-rank']) {
    const c = q(id);
    c.getContext('2d').clearRect(0, 0, c.width, c.height);
    setHover(c, { area: [0, 0, 0, 0], series: [] });
  }
}

/** Wires the upload panel; `post(msg, transfer)` sends to the worker, `ruleAndLevel()` reads the tail options. */
export function initUpload(post, ruleAndLevel) {
  const input = q('upload-file');
  const zone = q('drop-zone');
  const status = q('upload-status');
  const base = () => `sgn-lab-upload-${shown ? shown.name.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_') : 'none'}`;
  addChartExports(q('upload-ccdf'), () => `${base()}-row0-ccdf`, () => sample_csv('row0', shown ? shown.row0 : new Float64Array(0)));
  addChartExports(q('upload-hist'), () => `${base()}-column0`, () => sample_csv('column0', shown ? shown.col0 : new Float64Array(0)));
  addChartExports(q('upload-rank'), () => `${base()}-spectrum`,
    () => sample_csv('eigenvalue', Float64Array.from(shown && shown.rank ? shown.rank.eigenvalues : [])));
  jsonButton(q('upload-json'), () => `${base()}-analysis.json`, () => (shown ? shown.report : '{}'));
  const send = async (file) => {
    if (!file) return;
    clearUpload();
    status.classList.remove('bad');
    status.textContent = `Reading ${file.name} (${(file.size / 1e6).toFixed(1)} MB)…`;
    if (file.size > 200 * 1024 * 1024) {
      status.textContent = `${file.name} is ${(file.size / 1048576).toFixed(0)} MB; the limit is 200 MB.`;
      status.classList.add('bad');
      return;
    }
    const token = ++sending;
    const bar = q('upload-progress');
    bar.hidden = false;
    bar.value = 0;
    q('upload-cancel').hidden = false;
    const bytes = await readWithProgress(file, (done) => {
      if (token !== sending) return;
      bar.value = done / Math.max(1, file.size);
      status.textContent = `Reading ${file.name}: ${(done / 1e6).toFixed(1)} of ${(file.size / 1e6).toFixed(1)} MB…`;
    });
    if (token !== sending) return; // cancelled, or another file chosen, while reading
    // The analysis is one engine call: its length is unknown, so the bar is indeterminate.
    bar.removeAttribute('value');
    status.textContent = `Analysing ${file.name} (reading, tail tests, spectrum)…`;
    const { rule, level } = ruleAndLevel();
    post({ type: 'analyze', name: file.name, bytes, options: { rows: q('upload-rows').value, rule, level } }, [bytes]);
  };
  q('upload-cancel').addEventListener('click', () => { sending += 1; q('upload-progress').hidden = true; });
  input.addEventListener('change', () => send(input.files[0]));
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => { e.preventDefault(); zone.classList.remove('over'); send(e.dataTransfer.files[0]); });
}

/** Shows an analysis; returns a redraw function for resizes. */
export function renderUpload(wasm, msg) {
  const a = JSON.parse(msg.report);
  clearUpload();
  shown = { name: msg.name, report: msg.report, row0: msg.row0, col0: msg.col0, rank: msg.rank_plot ? JSON.parse(msg.rank_plot) : null };
  const status = q('upload-status');
  status.classList.remove('bad');
  status.textContent = `${msg.name}: ${a.rows} rows × ${a.cols} columns, rows are ${a.row_kind}.`;
  const t = q('upload-table');
  const rowsAre = a.row_kind === 'iterations' ? 'iteration' : 'sample';
  const body = document.createElement('tbody');
  body.append(
    row('dimension-wise power-law rate (each row pooled over its columns)', rate(a.dimension_wise)),
    row(`${a.row_kind === 'iterations' ? 'iteration-wise' : 'across-sample'} power-law rate (each column over the ${rowsAre}s)`, rate(a.column_wise)),
    // The noise (the SGN analogue; how it is formed depends on what the rows are: docs/PROTOCOL.md).
    row(`noise ${a.noise}: dimension-wise power-law rate`, rate(a.dimension_wise_noise)),
    row(`noise ${a.noise}: ${a.row_kind === 'iterations' ? 'iteration-wise' : 'across-sample'} power-law rate`, rate(a.column_wise_noise)),
    row('example row', verdict(a.example_row)),
    row('example column', verdict(a.example_column)));
  // The five Gaussianity p-values of column 0, of the data and of its noise.
  for (const [label, n] of [['column 0 Gaussian?', a.normality_column], ['noise column 0 Gaussian?', a.normality_column_noise]]) {
    if (!n) continue;
    body.append(row(label, `Shapiro–Wilk p ${fmt(n.shapiro_wilk && n.shapiro_wilk.p)}, D'Agostino K² p ${fmt(n.dagostino_pearson.p)}, ` +
      `Jarque–Bera p ${fmt(n.jarque_bera.p)}, Anderson–Darling p ${fmt(n.anderson_darling.p)}, Lilliefors p ${fmt(n.lilliefors.p)}`));
  }
  if (a.spectrum) {
    const f = a.spectrum.fit;
    body.append(row('covariance spectrum of the rows', `rank ${a.spectrum.rank}; top-K fit K = ${f.k}: ${f.power_law ? 'power law' : 'not a power law'}, ` +
      `ŝ = ${fmt(f.s)}, β̂ = ${fmt(f.beta)} ± ${fmt(f.beta_stderr)}, d_ks = ${fmt(f.ks_d)} vs d_c = ${fmt(f.ks_critical)}${a.spectrum.flat ? ' (flat)' : ''}`));
  } else if (a.spectrum_error) {
    body.append(row('covariance spectrum', a.spectrum_error));
  }
  t.replaceChildren(body);
  q('upload-body').hidden = false;
  q('upload-json').hidden = false;
  // The row-0 CCDF carries the example row's fit: the example row is the first tested row that
  // could be tested, which is row 0 exactly when no row was skipped.
  const r = a.dimension_wise.skipped === 0 ? a.example_row : null;
  const draw = () => {
    let c = q('upload-ccdf');
    setHover(c, wasm.draw_sample(c, fitCanvas(c), 'ccdf', msg.row0, `Row 0: CCDF of |x| (${a.cols} values)`,
      r ? { xmin: r.xmin, alpha: r.alpha, n_tail: r.n_tail, n: r.n } : null));
    c = q('upload-hist');
    setHover(c, wasm.draw_sample(c, fitCanvas(c), 'hist', msg.col0, `Column 0 over the ${a.rows} ${rowsAre}s`, null));
    c = q('upload-rank');
    c.setAttribute('aria-label', msg.rank_plot ? 'Covariance spectrum of the rows' : 'Covariance spectrum of the rows: not available (see the table)');
    if (msg.rank_plot) setHover(c, wasm.draw_chart(c, fitCanvas(c), { kind: 'rank', data: JSON.parse(msg.rank_plot) }));
    else setHover(c, wasm.draw_sample(c, fitCanvas(c), 'hist', new Float64Array(0), 'Covariance spectrum: not available (see the table)', null));
  };
  draw();
  return draw;
}
