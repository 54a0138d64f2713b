// The "gradient structure" view: lays out one measurement as the engine worded it
// (src/experiment/view/measurement.rs `MeasurementView`: Table A, per kind of sample its
// power-law and Gaussianity verdicts, Table B, the spectrum charts) beside the sample charts.
// Every text is set with textContent (never innerHTML); charts are drawn by the wasm code.
import { chart_csv, sample_csv } from '../pkg/sgn_lab.js';
import { addChartExports } from './exports.js';
import { drawOffThread } from './offthread.js';

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

/** A verdict box: head + decision (with its words, never colour alone), the numbers, one plain line. */
function panel(box, p) {
  if (!p) { box.replaceChildren(); return; }
  box.replaceChildren(
    el('div', { class: 'head' }, p.head, el('span', { class: p.yes ? 'yes' : 'no' }, p.decision)),
    ...(p.numbers ? [el('div', { class: 'nums' }, p.numbers)] : []),
    el('div', {}, p.plain));
}

function tableA(view) {
  const [[dg, ds], [ig, is]] = view.table_a;
  q('table-a').replaceChildren(
    el('thead', {}, el('tr', {}, el('td', {}, ''), el('th', { scope: 'col' }, 'gradient g'), el('th', { scope: 'col' }, 'noise ξ = g − ∇L'))),
    el('tbody', {},
      el('tr', {}, el('th', { scope: 'row' }, 'dimension-wise'), el('td', { testid: 'rate-dim-g' }, dg), el('td', { testid: 'rate-dim-sgn' }, ds)),
      el('tr', {}, el('th', { scope: 'row' }, 'iteration-wise'), el('td', { testid: 'rate-iter-g' }, ig), el('td', { testid: 'rate-iter-sgn' }, is))));
  document.getElementById('table-a-rule').textContent = view.table_a_caption;
}

function tableB(view) {
  const t = view.table_b;
  q('table-b').replaceChildren(
    el('thead', {}, el('tr', {}, ...t.head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...t.rows.map(([label, ...cells]) => el('tr', {}, el('th', { scope: 'row' }, label),
      ...cells.map((c, k) => el('td', k === 3 ? { class: c === 'yes' ? 'yes' : 'no' } : {}, c))))));
  document.getElementById('spectrum-sub').textContent = view.spectrum_caption;
}

const VIEWS = [['ccdf', 'CCDF'], ['hist', 'histogram'], ['qq', 'Q–Q']];
/** The spectrum charts on the page, by kind (the engine sends them in this order). */
const SPECTRUM_CANVAS = { rank: 'rank-plot', trace_share: 'trace-share', eigengaps: 'eigengaps', davis_kahan: 'davis-kahan' };

/** Builds the Tails grid once: per sample a view switch, the chart and its two verdict boxes. */
function buildTails(samples, onView) {
  const box = q('tails');
  if (box.childElementCount) return;
  for (const t of samples) {
    const switcher = el('span', { class: 'views', role: 'group', 'aria-label': `Chart of ${t.name}` },
      ...VIEWS.map(([v, label]) => {
        const b = el('button', { type: 'button', testid: `view-${t.key}-${v}`, 'aria-pressed': String(v === t.initial_view) }, label);
        b.addEventListener('click', () => onView(t.key, v));
        return b;
      }));
    const canvas = el('canvas', { testid: `tail-${t.key}`, role: 'img', 'data-view': t.initial_view,
      'data-describedby': `verdict-${t.key} normality-${t.key}` });
    box.append(el('figure', { testid: `fig-${t.key}` },
      el('div', { class: 'fig-head' }, el('span', { class: 'fig-title', title: t.what }, t.name), switcher),
      el('div', { class: 'chart-box sq' }, canvas),
      el('figcaption', { class: 'verdict', testid: `verdict-${t.key}`, id: `verdict-${t.key}` }),
      el('div', { class: 'verdict', testid: `normality-${t.key}`, id: `normality-${t.key}` })));
  }
}

/**
 * Draws chart tasks one after another, each in the chart worker (www/offthread.js: a CCDF of 10⁵
 * values takes a few tens of ms of wasm, off the main thread) and each started in its own
 * animation frame, so showing a measurement never blocks the main thread for long. A newer batch
 * (a new measurement, a resize) supersedes what is still queued; `aria-busy` is false once every
 * chart is on the page.
 */
let drawGeneration = 0;
function drawInFrames(tasks) {
  const gen = ++drawGeneration;
  const body = q('structure-body');
  body.setAttribute('aria-busy', 'true');
  const next = (i) => {
    if (gen !== drawGeneration) return;
    if (i >= tasks.length) { body.setAttribute('aria-busy', 'false'); return; }
    Promise.resolve(tasks[i]()).finally(() => requestAnimationFrame(() => next(i + 1)));
  };
  requestAnimationFrame(() => next(0));
}

/** The measurement on show: its view, samples, each sample chart's view. */
let latest = null;

/** Renders a measurement (`m`: {view, samples} from the worker); `wasm` draws the charts. */
export function renderStructure(wasm, m) {
  const view = m.view;
  q('structure-body').hidden = false;
  tableA(view);
  if (view.table_b) tableB(view);
  panel(q('spectrum-verdict'), view.spectrum_verdict);
  const chartOf = Object.fromEntries(view.samples.map((t) => [t.key, t.initial_view]));
  latest = { view, samples: m.samples, chartOf };
  const drawTail = (t) => {
    const c = q(`tail-${t.key}`);
    const v = latest.chartOf[t.key];
    const sample = latest.samples[t.key.replace('-', '_')];
    c.dataset.view = v;
    for (const [w] of VIEWS) q(`view-${t.key}-${w}`).setAttribute('aria-pressed', String(w === v));
    c.setAttribute('aria-label', `${t.name} (${t.what}): ${t.titles[v]}`);
    const [view, values, title, fit] = sample ? [v, sample, t.titles[v], v === 'ccdf' ? t.fit : null] : ['hist', new Float64Array(0), `${t.name}: no sample`, null];
    return drawOffThread(c, { fn: 'sample', view, values, title, fit }, (canvas, dpr) => wasm.draw_sample(canvas, dpr, view, values, title, fit));
  };
  buildTails(view.samples, (key, v) => { latest.chartOf[key] = v; drawTail(latest.view.samples.find((t) => t.key === key)); });
  for (const t of view.samples) {
    if (t.missing) {
      q(`verdict-${t.key}`).replaceChildren(el('div', {}, t.missing));
      q(`normality-${t.key}`).replaceChildren();
    } else {
      panel(q(`verdict-${t.key}`), t.power_law);
      panel(q(`normality-${t.key}`), t.normality);
    }
  }
  const spectrumTasks = view.spectrum_charts.map((chart) => () => {
    const c = q(SPECTRUM_CANVAS[chart.kind]);
    return drawOffThread(c, { fn: 'chart', chart }, (canvas, dpr) => wasm.draw_chart(canvas, dpr, chart));
  });
  const draw = () => drawInFrames([...latest.view.samples.map((t) => () => drawTail(t)), ...spectrumTasks]);
  draw();
  const ex = (id, name, csv) => addChartExports(q(id), () => `sgn-lab-step${latest.view.step}-${name}`, csv);
  for (const t of view.samples) {
    const column = t.key.endsWith('sgn') ? 'xi' : 'g';
    ex(`tail-${t.key}`, t.key, () => sample_csv(column, latest.samples[t.key.replace('-', '_')] || new Float64Array(0)));
  }
  for (const [kind, id] of Object.entries(SPECTRUM_CANVAS)) {
    ex(id, id === 'rank-plot' ? 'spectrum' : id, () => {
      const chart = latest.view.spectrum_charts.find((c) => c.kind === kind);
      return chart ? chart_csv(chart) : '';
    });
  }
  return draw;
}
