// "Analyze your own gradients": reads a dropped/picked file in the page, hands its bytes to the
// worker, and renders the analysis (text via textContent only; charts via the wasm code).
import { fitCanvas } from './canvas.js';
import { setHover } from './hover.js';

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

/** Wires the upload panel; `post(msg, transfer)` sends to the worker, `ruleAndLevel()` reads the tail options. */
export function initUpload(post, ruleAndLevel) {
  const input = q('upload-file');
  const zone = q('drop-zone');
  const status = q('upload-status');
  const send = async (file) => {
    if (!file) return;
    status.classList.remove('bad');
    status.textContent = `Reading ${file.name} (${(file.size / 1e6).toFixed(1)} MB)…`;
    if (file.size > 200 * 1024 * 1024) {
      status.textContent = `${file.name} is ${(file.size / 1048576).toFixed(0)} MB; the limit is 200 MB.`;
      status.classList.add('bad');
      return;
    }
    const bytes = await file.arrayBuffer();
    status.textContent = `Analysing ${file.name}…`;
    q('upload-cancel').hidden = false;
    const { rule, level } = ruleAndLevel();
    post({ type: 'analyze', name: file.name, bytes, options: { rows: q('upload-rows').value, rule, level } }, [bytes]);
  };
  input.addEventListener('change', () => send(input.files[0]));
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => { e.preventDefault(); zone.classList.remove('over'); send(e.dataTransfer.files[0]); });
}

/** Shows an analysis; returns a redraw function for resizes. */
export function renderUpload(wasm, msg) {
  const a = JSON.parse(msg.report);
  const status = q('upload-status');
  status.classList.remove('bad');
  status.textContent = `${msg.name}: ${a.rows} rows × ${a.cols} columns, rows are ${a.row_kind}.`;
  const t = q('upload-table');
  const rowsAre = a.row_kind === 'iterations' ? 'iteration' : 'sample';
  const body = document.createElement('tbody');
  body.append(
    row('dimension-wise power-law rate (each row pooled over its columns)', rate(a.dimension_wise)),
    row(`${a.row_kind === 'iterations' ? 'iteration-wise' : 'across-sample'} power-law rate (each column over the ${rowsAre}s)`, rate(a.column_wise)),
    row('example row', verdict(a.example_row)),
    row('example column', verdict(a.example_column)));
  if (a.normality_column) {
    const n = a.normality_column;
    body.append(row('column 0 Gaussian?', `Shapiro–Wilk p ${fmt(n.shapiro_wilk && n.shapiro_wilk.p)}, D'Agostino K² p ${fmt(n.dagostino_pearson.p)}, ` +
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
  const draw = () => {
    let c = q('upload-ccdf');
    setHover(c, wasm.draw_ccdf(c, fitCanvas(c), msg.row0, 0, 0, 0, 0, `Row 0: CCDF of |x| (${a.cols} values)`));
    c = q('upload-hist');
    setHover(c, wasm.draw_histogram(c, fitCanvas(c), msg.col0, `Column 0 over the ${a.rows} ${rowsAre}s`));
    c = q('upload-rank');
    if (msg.rank_plot) setHover(c, wasm.draw_rank_plot(c, fitCanvas(c), msg.rank_plot));
  };
  draw();
  return draw;
}
