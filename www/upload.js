// "Analyze your own gradients": hands a dropped/picked file to the worker, which streams it into
// the engine chunk by chunk (File.stream(); the page never holds the bytes), follows its progress
// and renders the analysis the engine returns (text via textContent only; charts via the wasm
// code). A plain .npy / CSV is one matrix; a .npz bundle (recipes/, docs/YOUR-GRADIENTS.md) has
// up to three parts, each shown with the lab's views: tails (CCDF), Gaussianity (histogram) and
// the covariance spectrum (rank plot).
import { columns_csv } from '../pkg/sgn_lab.js';
import { fitCanvas } from './canvas.js';
import { setHover } from './hover.js';
import { addChartExports, jsonButton } from './exports.js';

const q = (id) => document.querySelector(`[data-testid="${id}"]`);
const fmt = (v) => (v === null || v === undefined ? '—' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? Number(v.toPrecision(3)).toString() : v.toExponential(2));
const rate = (r) => (!r ? 'not in this bundle' : r.rate === null ? `— (${r.skipped} not testable)` : `${(100 * r.rate).toFixed(0)} % (${r.power_law}/${r.tested})`);
const mb = (b) => (b / 1e6).toFixed(1);

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

/** The five Gaussianity p-values (the order-statistic tests are absent for a streamed sample). */
function gaussian(n) {
  const p = (t) => fmt(t && t.p);
  return `Shapiro–Wilk p ${p(n.shapiro_wilk)}, D'Agostino K² p ${p(n.dagostino_pearson)}, Jarque–Bera p ${p(n.jarque_bera)}, ` +
    `Anderson–Darling p ${p(n.anderson_darling)}, Lilliefors p ${p(n.lilliefors)}` +
    (n.streamed ? ` (${n.n} values: moment tests only)` : '');
}

function spectrumRow(s) {
  const f = s.fit;
  return `rank ${s.rank}; top-K fit K = ${f.k}: ${f.power_law ? 'power law' : 'not a power law'}, ` +
    `ŝ = ${fmt(f.s)}, β̂ = ${fmt(f.beta)} ± ${fmt(f.beta_stderr)}, d_ks = ${fmt(f.ks_d)} vs d_c = ${fmt(f.ks_critical)}${s.flat ? ' (flat)' : ''}`;
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
    setHover(c, '{"area":[0,0,0,0],"series":[]}');
  }
}

/** The file being read or analysed: its name and size, for the progress text. */
let current = null;

/** Progress from the worker: bytes read (`stage` 'reading'), then the analysis's fraction. */
export function uploadProgress(msg) {
  if (!current) return;
  const bar = q('upload-progress');
  const status = q('upload-status');
  bar.hidden = false;
  if (msg.stage === 'reading') {
    bar.value = msg.done / Math.max(1, msg.total);
    status.textContent = `Reading ${current.name}: ${mb(msg.done)} of ${mb(msg.total)} MB…`;
  } else {
    bar.value = msg.fraction;
    status.textContent = `Analysing ${current.name}: ${Math.floor(100 * msg.fraction)} %…`;
  }
}

/** Wires the upload panel; `post(msg)` sends to the worker, `options()` reads the tail options
 * (rule, level) and `memoryCap()` the page's memory cap in bytes. */
export function initUpload(post, options, memoryCap, maxBytes) {
  const input = q('upload-file');
  const zone = q('drop-zone');
  const status = q('upload-status');
  const limits = q('upload-limits');
  if (limits && maxBytes) limits.textContent = `.npy and .npz files up to ${(maxBytes(memoryCap()) / 1048576).toFixed(0)} MiB, text up to 200 MB and 2·10⁷ values`;
  const base = () => `sgn-lab-upload-${shown ? shown.name.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_') : 'none'}`;
  const csv = (columns) => columns_csv(Object.entries(columns).map(([k, v]) => [k, Array.from(v)]));
  addChartExports(q('upload-ccdf'), () => `${base()}-${shown && shown.ccdfName ? shown.ccdfName : 'row0'}-ccdf`, () => csv(shown && shown.ccdfColumns ? shown.ccdfColumns : { row0: [] }));
  addChartExports(q('upload-hist'), () => `${base()}-column0`, () => csv({ column0: shown && shown.col0 ? shown.col0 : [] }));
  addChartExports(q('upload-rank'), () => `${base()}-spectrum`, () => csv({ eigenvalue: shown && shown.rank ? shown.rank.eigenvalues : [] }));
  jsonButton(q('upload-json'), () => `${base()}-analysis.json`, () => (shown ? shown.report : '{}'));
  const send = (file) => {
    if (!file) return;
    clearUpload();
    current = { name: file.name, size: file.size };
    status.classList.remove('bad');
    status.textContent = `Reading ${file.name} (${mb(file.size)} MB)…`;
    const bar = q('upload-progress');
    bar.hidden = false;
    bar.value = 0;
    q('upload-cancel').hidden = false;
    const { rule, level } = options();
    // The File itself goes to the worker (a structured clone is a handle, not the bytes).
    post({ type: 'analyze', file, options: { rows: q('upload-rows').value, rule, level, memory_cap: memoryCap() } });
  };
  // The input is emptied after each pick, so choosing the same file again (after a Cancel, say)
  // is a change too.
  input.addEventListener('change', () => { const f = input.files[0]; input.value = ''; send(f); });
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => { e.preventDefault(); zone.classList.remove('over'); send(e.dataTransfer.files[0]); });
}

function matrixTable(a, body) {
  const rowsAre = a.row_kind === 'iterations' ? 'iteration' : 'sample';
  const colWise = a.row_kind === 'iterations' ? 'iteration-wise' : 'across-sample';
  body.append(
    row('dimension-wise power-law rate (each row pooled over its columns)', rate(a.dimension_wise)),
    row(`${colWise} power-law rate (each column over the ${rowsAre}s)`, rate(a.column_wise)),
    // The noise (the SGN analogue; how it is formed depends on what the rows are: docs/PROTOCOL.md).
    row(`noise ${a.noise}: dimension-wise power-law rate`, rate(a.dimension_wise_noise)),
    row(`noise ${a.noise}: ${colWise} power-law rate`, rate(a.column_wise_noise)),
    row('example row', verdict(a.example_row)),
    row('example column', verdict(a.example_column)));
  for (const [label, n] of [['row 0 Gaussian?', a.normality_row], ['column 0 Gaussian?', a.normality_column], ['noise column 0 Gaussian?', a.normality_column_noise]]) {
    if (n) body.append(row(label, gaussian(n)));
  }
  if (a.spectrum) body.append(row('covariance spectrum of the rows', spectrumRow(a.spectrum)));
  else if (a.spectrum_error) body.append(row('covariance spectrum', a.spectrum_error));
}

function bundleTable(a, body) {
  const h = a.header;
  const opt = (v) => (v === null || v === undefined ? '—' : String(v));
  body.append(row('bundle', `${h.framework}${h.model ? `, model ${h.model}` : ''}: P = ${h.p}, N = ${opt(h.n)}, B = ${opt(h.b)}, ` +
    `step ${opt(h.step)}, seed ${opt(h.seed)}, ${h.dtype || 'dtype not stated'}`));
  const t = a.table_a;
  body.append(
    row('Table A: dimension-wise g', rate(t.dimension_g)),
    row('Table A: dimension-wise SGN', rate(t.dimension_sgn)),
    row('Table A: iteration-wise g', rate(t.iteration_g)),
    row('Table A: iteration-wise SGN', rate(t.iteration_sgn)));
  const example = (s) => (s.power_law ? verdict(s.power_law) : `not testable: ${s.error}`);
  const samples = [];
  if (a.dim) samples.push(a.dim.example_g, a.dim.example_sgn);
  if (a.iter) samples.push(a.iter.example_g, a.iter.example_sgn);
  for (const s of samples.filter(Boolean)) {
    body.append(row(s.label, example(s)));
    if (s.normality) body.append(row(`${s.label}: Gaussian?`, gaussian(s.normality)));
  }
  if (a.gram) {
    const g = a.gram;
    body.append(row('Gram matrix checks', `N = ${g.check.n}, P = ${g.p}, trace ${fmt(g.check.trace)}, asymmetry ${fmt(g.check.asymmetry)} × max K_ii, ` +
      `λ_min ${fmt(g.check.lambda_min_relative)} × trace${g.centred ? ', centred by the writer' : ''}: passed`));
    if (g.spectrum) body.append(row('covariance spectrum (from the Gram matrix)', spectrumRow(g.spectrum)));
    else body.append(row('covariance spectrum', g.spectrum_error));
  } else {
    body.append(row('covariance spectrum', 'no gram part in this bundle'));
  }
}

/** Shows an analysis; returns a redraw function for resizes. */
export function renderUpload(wasm, msg) {
  const a = JSON.parse(msg.report);
  clearUpload();
  current = null;
  const bundle = msg.kind === 'bundle';
  // The tail chart: row 0 (values, or its CCDF summary for a long row), or a bundle's
  // dimension-wise example (SGN when present, else g) from its CCDF summary.
  let tail = null;
  if (bundle) {
    const s = a.dim ? a.dim.example_sgn || a.dim.example_g : null;
    if (s) tail = { ccdf: s.ccdf, fit: s.power_law, title: s.label.replace(/^./, (c) => c.toUpperCase()), name: 'dimension-wise' };
  } else {
    // The example row is the first tested row that could be tested: row 0 exactly when no row was skipped.
    const r = a.dimension_wise.skipped === 0 ? a.example_row : null;
    tail = { values: msg.row0, ccdf: a.row0_ccdf, fit: r, title: `Row 0: CCDF of |x| (${a.cols} values)`, name: 'row0' };
  }
  shown = {
    name: msg.name, report: msg.report, col0: msg.col0, rank: msg.rank_plot ? JSON.parse(msg.rank_plot) : null,
    ccdfName: tail ? tail.name : null,
    ccdfColumns: !tail ? { x: [] } : tail.values ? { row0: tail.values } : { x: tail.ccdf.map((p) => p[0]), ccdf: tail.ccdf.map((p) => p[1]) },
  };
  const status = q('upload-status');
  status.classList.remove('bad');
  status.textContent = bundle
    ? `${msg.name}: bundle with ${['dim', 'iter', 'gram'].filter((k) => a[k]).join(', ')} (${a.header.framework}).`
    : `${msg.name}: ${a.rows} rows × ${a.cols} columns, rows are ${a.row_kind}.`;
  const body = document.createElement('tbody');
  if (bundle) bundleTable(a, body); else matrixTable(a, body);
  q('upload-table').replaceChildren(body);
  q('upload-body').hidden = false;
  q('upload-json').hidden = false;
  const empty = (c, title) => setHover(c, wasm.draw_sample(c, fitCanvas(c), 'hist', new Float64Array(0), title, null));
  const line = (f) => (f ? { xmin: f.xmin, alpha: f.alpha, n_tail: f.n_tail, n: f.n } : null);
  const draw = () => {
    let c = q('upload-ccdf');
    const f = tail && tail.fit;
    if (!tail) empty(c, 'Dimension-wise: not in this bundle');
    else if (tail.values) setHover(c, wasm.draw_sample(c, fitCanvas(c), 'ccdf', tail.values, tail.title, line(f)));
    else {
      setHover(c, wasm.draw_chart(c, fitCanvas(c), { kind: 'ccdf', title: tail.title, points: tail.ccdf, n: f ? f.n : tail.ccdf.length, fit: line(f) }));
    }
    c = q('upload-hist');
    if (msg.col0) setHover(c, wasm.draw_sample(c, fitCanvas(c), 'hist', msg.col0, msg.col0_title || 'Column 0', null));
    else empty(c, bundle ? 'Iteration-wise: not in this bundle' : 'Column 0: not available');
    c = q('upload-rank');
    c.setAttribute('aria-label', msg.rank_plot ? 'Covariance spectrum' : 'Covariance spectrum: not available (see the table)');
    if (msg.rank_plot) setHover(c, wasm.draw_chart(c, fitCanvas(c), { kind: 'rank', data: JSON.parse(msg.rank_plot) }));
    else empty(c, 'Covariance spectrum: not available (see the table)');
  };
  draw();
  return draw;
}
