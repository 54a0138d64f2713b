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

/** Gaussianity verdict; `what` names the sample ("these coordinates", "this parameter's noise"),
 * `paper` what the paper expects of it (true: Gaussian-like). */
function normalityVerdict(box, t, what, paper) {
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
      ? `At level 0.05 ${what} depart${what.startsWith('these') ? '' : 's'} from a Gaussian${paper ? ', unlike what the paper finds iteration-wise' : ', as heavy tails imply'}.`
      : `At level 0.05 nothing contradicts a Gaussian for ${what}${paper ? ', as the paper finds iteration-wise' : ''}.`));
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

/** The four kinds of sample of the paper's Table A, each with its own chart and verdicts. */
const TAILS = [
  { key: 'dim-g', field: 'dimension_g', array: 'dim_g', column: 'g', view: 'ccdf', name: 'Dimension-wise g', noun: 'these coordinates', gaussian: false,
    what: 'all coordinates of one minibatch gradient' },
  { key: 'dim-sgn', field: 'dimension_sgn', array: 'dim_sgn', column: 'xi', view: 'ccdf', name: 'Dimension-wise ξ', noun: 'these coordinates', gaussian: false,
    what: 'all coordinates of the noise ξ = g − ∇L of the same minibatch' },
  { key: 'iter-g', field: 'iteration_g', array: 'iter_g', column: 'g', view: 'hist', name: 'Iteration-wise g', noun: "this parameter's gradient", gaussian: true,
    what: "one parameter's gradient across the logged training steps" },
  { key: 'iter-sgn', field: 'iteration_sgn', array: 'iter_sgn', column: 'xi', view: 'hist', name: 'Iteration-wise ξ', noun: "this parameter's noise", gaussian: true,
    what: "one parameter's noise across minibatch draws at the frozen weights" },
];
const VIEWS = [['ccdf', 'CCDF'], ['hist', 'histogram'], ['qq', 'Q–Q']];
const VIEW_TITLE = { ccdf: 'CCDF of |x| with the power-law fit', hist: 'histogram with the fitted normal', qq: 'normal Q–Q plot' };

/** Builds the Tails grid once: per sample a view switch, the chart and its two verdicts. */
function buildTails(onView) {
  const box = q('tails');
  if (box.childElementCount) return;
  for (const t of TAILS) {
    const switcher = el('span', { class: 'views', role: 'group', 'aria-label': `Chart of ${t.name}` },
      ...VIEWS.map(([v, label]) => {
        const b = el('button', { type: 'button', testid: `view-${t.key}-${v}`, 'aria-pressed': String(v === t.view) }, label);
        b.addEventListener('click', () => onView(t, v));
        return b;
      }));
    const canvas = el('canvas', { testid: `tail-${t.key}`, role: 'img', 'data-view': t.view, 'data-describedby': `verdict-${t.key} normality-${t.key}` });
    box.append(el('figure', { testid: `fig-${t.key}` },
      el('div', { class: 'fig-head' }, el('span', { class: 'fig-title', title: t.what }, t.name), switcher),
      el('div', { class: 'chart-box sq' }, canvas),
      el('figcaption', { class: 'verdict', testid: `verdict-${t.key}`, id: `verdict-${t.key}` }),
      el('div', { class: 'verdict', testid: `normality-${t.key}`, id: `normality-${t.key}` })));
  }
}

/**
 * Draws chart tasks one per animation frame, so showing a measurement never blocks the main
 * thread for long (a CCDF of 10⁵ values takes a few tens of ms): the page stays responsive.
 * A newer batch (a new measurement, a resize) supersedes what is still queued.
 */
let drawGeneration = 0;
function drawInFrames(tasks) {
  const gen = ++drawGeneration;
  const body = q('structure-body');
  body.setAttribute('aria-busy', 'true');
  const next = (i) => {
    if (gen !== drawGeneration) return;
    if (i >= tasks.length) { body.setAttribute('aria-busy', 'false'); return; }
    tasks[i]();
    requestAnimationFrame(() => next(i + 1));
  };
  requestAnimationFrame(() => next(0));
}

/** Renders a measurement; `wasm` is the main thread's engine module (for the charts). */
export function renderStructure(wasm, m) {
  const report = JSON.parse(m.report);
  q('structure-body').hidden = false;
  tableA(report);
  if (report.spectrum) tableB(report);
  const views = m.views ? JSON.parse(m.views) : null;
  const view = Object.fromEntries(TAILS.map((t) => [t.key, t.view]));
  const drawTail = (t) => {
    const c = q(`tail-${t.key}`);
    const test = report[t.field];
    const sample = m[t.array];
    const v = view[t.key];
    c.dataset.view = v;
    for (const [w] of VIEWS) q(`view-${t.key}-${w}`).setAttribute('aria-pressed', String(w === v));
    c.setAttribute('aria-label', `${t.name} (${t.what}): ${VIEW_TITLE[v]}`);
    if (!test || !sample) {
      const dpr = fitCanvas(c);
      setHover(c, wasm.draw_histogram(c, dpr, new Float64Array(0), `${t.name}: no sample`));
      return;
    }
    const dpr = fitCanvas(c);
    const r = test.power_law;
    const title = v === 'ccdf' ? `${t.name}: CCDF of |x| (n = ${r.n})` : v === 'hist' ? `${t.name}: histogram (n = ${sample.length})` : `${t.name}: normal Q–Q`;
    if (v === 'ccdf') setHover(c, wasm.draw_ccdf(c, dpr, sample, r.xmin, r.alpha, r.n_tail, r.n, title));
    else if (v === 'hist') setHover(c, wasm.draw_histogram(c, dpr, sample, title));
    else setHover(c, wasm.draw_qq(c, dpr, sample, title));
  };
  // The view switches and export bars are made once; they act on the latest measurement.
  latest = { m, views, view, drawTail, step: report.step };
  buildTails((t, v) => { latest.view[t.key] = v; latest.drawTail(t); });
  for (const t of TAILS) {
    const test = report[t.field];
    if (test) {
      powerLawVerdict(q(`verdict-${t.key}`), test);
      normalityVerdict(q(`normality-${t.key}`), test, t.noun, t.gaussian);
    } else {
      q(`verdict-${t.key}`).replaceChildren(el('div', {}, `${t.name}: not measured — the run has only ${report.logged_steps} logged steps, too few for a tail test.`));
      q(`normality-${t.key}`).replaceChildren();
    }
  }
  const spectrumTasks = views ? [
    () => { const c = q('rank-plot'); setHover(c, wasm.draw_rank_plot(c, fitCanvas(c), JSON.stringify(views.rank))); },
    () => { const c = q('trace-share'); setHover(c, wasm.draw_trace_share(c, fitCanvas(c), JSON.stringify(views.trace_share))); },
    () => { const c = q('eigengaps'); setHover(c, wasm.draw_eigengaps(c, fitCanvas(c), JSON.stringify(views.eigengaps))); },
    () => { const c = q('davis-kahan'); if (views.davis_kahan) setHover(c, wasm.draw_davis_kahan(c, fitCanvas(c), JSON.stringify(views.davis_kahan))); },
  ] : [];
  const draw = () => drawInFrames([...TAILS.map((t) => () => drawTail(t)), ...spectrumTasks]);
  draw();
  const ex = (id, name, columns) => addChartExports(q(id), () => `sgn-lab-step${latest.step}-${name}`, columns);
  for (const t of TAILS) ex(`tail-${t.key}`, `${t.key}`, () => ({ [t.column]: latest.m[t.array] || [] }));
  if (views) {
    ex('rank-plot', 'spectrum', () => ({ eigenvalue: latest.views.rank.eigenvalues, baseline: latest.views.rank.baseline || [] }));
    ex('trace-share', 'trace-share', () => ({ share: latest.views.trace_share.share }));
    ex('eigengaps', 'eigengaps', () => ({ by_rank: latest.views.eigengaps.gaps.by_rank, sorted: latest.views.eigengaps.gaps.sorted }));
    ex('davis-kahan', 'davis-kahan', () => {
      const d = latest.views && latest.views.davis_kahan ? latest.views.davis_kahan.davis_kahan : null;
      // A zero gap makes the bound +∞ (null in JSON): written as "inf".
      return d ? { k: d.k, sin_angle: d.sin_angle, bound: d.bound.map((b) => (b === null ? 'inf' : b)), min_gap: d.min_gap } : { k: [] };
    });
  }
  return draw;
}

/** The measurement on show: samples, chart data, each tail chart's view, its draw function. */
let latest = null;
