// The "gradient structure" view: Table A, tail charts with their verdicts, the covariance
// spectrum and Table B, from one measurement sent by the worker. Every text is set with
// textContent (never innerHTML); charts are drawn by the wasm plotting code.
import { fitCanvas } from './canvas.js';
import { addChartExports } from './exports.js';
import { setHover } from './hover.js';

const fmt = (v, digits = 3) => {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? Number(v.toPrecision(digits)).toString() : v.toExponential(digits - 1);
};
const pct = (r) => (r.rate === null ? '—' : `${(100 * r.rate).toFixed(0)} % (${r.power_law}/${r.tested})`);

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v; else if (k === 'testid') e.dataset.testid = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function q(testid) {
  return document.querySelector(`[data-testid="${testid}"]`);
}

/** One line a learner can read, from the numbers. */
function plainPowerLaw(t) {
  const r = t.power_law;
  const tail = r.rule === 'paper' ? `the ${r.n_tail} largest |values|` : `the ${r.n_tail} values above x_min`;
  if (r.p_value !== null) {
    return r.power_law
      ? `${tail} are plausibly a power law with exponent ${fmt(r.alpha)}: bootstrap p = ${fmt(r.p_value, 2)} > 0.1 (${r.bootstrap} replicates).`
      : `${tail} are not a plausible power law: bootstrap p = ${fmt(r.p_value, 2)} ≤ 0.1 (${r.bootstrap} replicates).`;
  }
  return r.power_law
    ? `${tail} follow a power law with exponent ${fmt(r.alpha)} (heavy-tailed).`
    : `${tail} are not consistent with a power law (d_ks ≥ d_c): no heavy tail detected.`;
}

function powerLawVerdict(box, t) {
  const r = t.power_law;
  box.replaceChildren(
    el('div', { class: 'head' }, `${t.label}: `, el('span', { class: r.power_law ? 'yes' : 'no' }, r.power_law ? 'power law' : 'not a power law')),
    el('div', { class: 'nums' },
      `${r.rule === 'paper' ? 'paper rule (top-K KS)' : 'Clauset rule (x_min by KS)'} · n = ${r.n}` + (r.n_zero ? ` (${r.n_zero} zeros dropped)` : '') +
      ` · K = ${r.n_tail} · x_min = ${fmt(r.xmin)} · α̂ = ${fmt(r.alpha)} ± ${fmt(r.alpha_stderr, 2)}` +
      ` · d_ks = ${fmt(r.ks_d)} vs d_c = ${fmt(r.ks_critical)} at α = ${r.level}` + (r.p_value !== null ? ` · p = ${fmt(r.p_value)}` : '') +
      ` · LR vs lognormal ${fmt(r.vs_lognormal.llr_normalized)} (p ${fmt(r.vs_lognormal.p, 2)}), vs exponential ${fmt(r.vs_exponential.llr_normalized)} (p ${fmt(r.vs_exponential.p, 2)})`),
    el('div', {}, plainPowerLaw(t)));
}

function normalityVerdict(box, t) {
  const n = t.normality;
  if (!n) { box.replaceChildren(el('div', {}, 'Gaussianity tests need at least 8 distinct values.')); return; }
  const ps = [
    ['Shapiro–Wilk', n.shapiro_wilk && n.shapiro_wilk.p],
    ["D'Agostino K²", n.dagostino_pearson.p],
    ['Jarque–Bera', n.jarque_bera.p],
    ['Anderson–Darling', n.anderson_darling.p],
    ['Lilliefors', n.lilliefors.p],
  ].filter(([, p]) => p !== null && p !== undefined);
  const rejected = ps.filter(([, p]) => p < 0.05).map(([name]) => name);
  box.replaceChildren(
    el('div', { class: 'head' }, 'Gaussian? ', el('span', { class: rejected.length ? 'no' : 'yes' },
      rejected.length ? `rejected by ${rejected.length} of ${ps.length} tests` : `not rejected by any of ${ps.length} tests`)),
    el('div', { class: 'nums' }, `n = ${n.n} · skewness ${fmt(n.skewness)} · excess kurtosis ${fmt(n.excess_kurtosis)} · p-values: ` +
      ps.map(([name, p]) => `${name} ${fmt(p, 2)}`).join(', ')),
    el('div', {}, rejected.length
      ? 'At level 0.05 the noise of this parameter departs from a Gaussian.'
      : 'At level 0.05 nothing contradicts Gaussian noise for this parameter, as the paper finds.'));
}

function tableA(report) {
  const a = report.table_a;
  const t = q('table-a');
  t.replaceChildren(
    el('thead', {}, el('tr', {}, el('td', {}, ''), el('th', { scope: 'col' }, 'gradient g'), el('th', { scope: 'col' }, 'noise ξ = g − ∇L'))),
    el('tbody', {},
      el('tr', {}, el('th', { scope: 'row' }, 'dimension-wise'), el('td', { testid: 'rate-dim-g' }, pct(a.dimension_g)), el('td', { testid: 'rate-dim-sgn' }, pct(a.dimension_sgn))),
      el('tr', {}, el('th', { scope: 'row' }, 'iteration-wise'),
        el('td', { testid: 'rate-iter-g' }, a.iteration_g ? pct(a.iteration_g) : 'no training log'), el('td', { testid: 'rate-iter-sgn' }, pct(a.iteration_sgn)))));
  const r = report.dimension_g.power_law;
  document.getElementById('table-a-rule').textContent =
    `(${r.rule} rule, level ${r.level}; ${report.table_a.dimension_g.tested} minibatch draws dimension-wise, ` +
    `${report.tracked.length} tracked parameters over ${report.logged_steps} steps and ${report.draws} draws iteration-wise; paper: dimension-wise high, iteration-wise low)`;
}

function tableB(report) {
  const t = q('table-b');
  const rows = [['gradients at step ' + report.step, report.spectrum.report]];
  if (report.spectrum.baseline) rows.push(['Gaussian baseline (same shape, same total variance)', report.spectrum.baseline]);
  t.replaceChildren(
    el('thead', {}, el('tr', {}, ...['spectrum of', 'K', 'd_ks', 'd_c', 'power law', 'β̂ ± σ', 'ŝ', 'LS slope (r²)', 'note'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows.map(([label, s]) => el('tr', {},
      el('th', { scope: 'row' }, label), el('td', {}, s.fit.k), el('td', {}, fmt(s.fit.ks_d)), el('td', {}, fmt(s.fit.ks_critical)),
      el('td', { class: s.fit.power_law ? 'yes' : 'no' }, s.fit.power_law ? 'yes' : 'no'),
      el('td', {}, `${fmt(s.fit.beta)} ± ${fmt(s.fit.beta_stderr, 2)}`), el('td', {}, fmt(s.fit.s)),
      el('td', {}, `${fmt(s.fit.ls_slope)} (${fmt(s.fit.ls_r2, 2)})`), el('td', {}, s.flat ? 'flat (ŝ < 0.3)' : '')))));
  const sp = report.spectrum.report;
  document.getElementById('spectrum-sub').textContent =
    `(C₁ from N = ${sp.n} per-sample gradients, P = ${sp.d} parameters, rank ${sp.rank}; paper: λ_k ∝ k^(−s), steeper than the Gaussian baseline)`;
}

/** Renders a measurement; `wasm` is the main thread's engine module (for the charts). */
export function renderStructure(wasm, m) {
  const report = JSON.parse(m.report);
  q('structure-body').hidden = false;
  tableA(report);
  powerLawVerdict(q('verdict-dim-g'), report.dimension_g);
  powerLawVerdict(q('verdict-dim-sgn'), report.dimension_sgn);
  powerLawVerdict(q('verdict-iter-sgn'), report.iteration_sgn);
  normalityVerdict(q('normality-iter-sgn'), report.iteration_sgn);
  if (report.spectrum) tableB(report);
  const views = m.views ? JSON.parse(m.views) : null;
  const draw = () => {
    const ccdf = (id, sample, t, title) => {
      const c = q(id); const dpr = fitCanvas(c); const r = t.power_law;
      setHover(c, wasm.draw_ccdf(c, dpr, sample, r.xmin, r.alpha, r.n_tail, r.n, title));
    };
    ccdf('ccdf-dim-g', m.dim_g, report.dimension_g, `Dimension-wise |g|: CCDF (P = ${report.n_params})`);
    ccdf('ccdf-dim-sgn', m.dim_sgn, report.dimension_sgn, 'Dimension-wise |ξ|: CCDF');
    let c = q('hist-iter-sgn');
    setHover(c, wasm.draw_histogram(c, fitCanvas(c), m.iter_sgn, `ξ of parameter #${report.tracked[0]} over ${report.draws} draws`));
    c = q('qq-iter-sgn');
    setHover(c, wasm.draw_qq(c, fitCanvas(c), m.iter_sgn, 'Normal Q–Q of the same ξ'));
    if (views) {
      c = q('rank-plot');
      setHover(c, wasm.draw_rank_plot(c, fitCanvas(c), JSON.stringify(views.rank)));
      c = q('trace-share');
      setHover(c, wasm.draw_trace_share(c, fitCanvas(c), JSON.stringify(views.trace_share)));
      c = q('eigengaps');
      setHover(c, wasm.draw_eigengaps(c, fitCanvas(c), JSON.stringify(views.eigengaps)));
      c = q('davis-kahan');
      if (views.davis_kahan) setHover(c, wasm.draw_davis_kahan(c, fitCanvas(c), JSON.stringify(views.davis_kahan)));
    }
  };
  draw();
  const step = report.step;
  const ex = (id, name, columns) => addChartExports(q(id), `sgn-lab-step${step}-${name}`, columns);
  ex('ccdf-dim-g', 'dimension-wise-g', () => ({ g: m.dim_g }));
  ex('ccdf-dim-sgn', 'dimension-wise-sgn', () => ({ xi: m.dim_sgn }));
  ex('hist-iter-sgn', 'iteration-wise-sgn', () => ({ xi: m.iter_sgn }));
  ex('qq-iter-sgn', 'iteration-wise-sgn-qq', () => ({ xi: m.iter_sgn }));
  if (views) {
    ex('rank-plot', 'spectrum', () => ({ eigenvalue: views.rank.eigenvalues, baseline: views.rank.baseline || [] }));
    ex('trace-share', 'trace-share', () => ({ share: views.trace_share.share }));
    ex('eigengaps', 'eigengaps', () => ({ by_rank: views.eigengaps.gaps.by_rank, sorted: views.eigengaps.gaps.sorted }));
  }
  return draw;
}
