// The paper tour: presets in order with previous / next, the paper's claim, and what this run
// found (verdicts, Table A, Table B), all from the engine's report.
import { addChartExports, jsonButton } from './exports.js';
import { fitCanvas, frameThrottle } from './canvas.js';
import { setHover } from './hover.js';

const q = (id) => document.querySelector(`[data-testid="${id}"]`);
const fmt = (v) => (v === null || v === undefined ? '—' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? Number(v.toPrecision(3)).toString() : v.toExponential(2));
const rate = (r) => (!r ? '—' : r.rate === null ? '—' : `${(100 * r.rate).toFixed(0)} % (${r.power_law}/${r.tested})`);

function table(el, head, rows) {
  const mk = (tag, text) => { const e = document.createElement(tag); e.textContent = text; return e; };
  const thead = document.createElement('thead');
  const tr = document.createElement('tr');
  for (const h of head) tr.append(mk('th', h));
  thead.append(tr);
  const tbody = document.createElement('tbody');
  for (const r of rows) {
    const row = document.createElement('tr');
    for (const c of r) row.append(mk('td', c));
    tbody.append(row);
  }
  el.replaceChildren(...(rows.length ? [thead, tbody] : []));
}

// The hash as the page was opened (read at import, before the page rewrites it from the config).
const INITIAL_HASH = typeof location === 'undefined' ? '' : location.hash;

/** The tour step (1-based) in a hash's `tour=N` part (a parameter beside the `v1.` state, not
 * part of it), or null. */
export function tourStepOf(hash) {
  const m = hash.replace(/^#/, '').match(/(?:^|&)tour=(\d{1,4})(?:&|$)/);
  return m ? Number(m[1]) : null;
}

/** The step to keep in the URL (1-based; null until a link or the user picked one). */
let current = null;

/** The `&tour=N` part for the page's hash ('' when no step was picked). */
export function tourParam() {
  return current ? `&tour=${current}` : '';
}

/** Draws chart `c` (one of the step's `charts`, src/web/tour.rs `TourChart`) on `canvas`. */
function drawChart(wasm, canvas, c) {
  const dpr = fitCanvas(canvas);
  if (c.kind === 'ccdf') {
    const f = c.fit;
    setHover(canvas, wasm.draw_ccdf_summary(canvas, dpr, Float64Array.from(c.points, (p) => p[0]), Float64Array.from(c.points, (p) => p[1]),
      c.n, f.xmin, f.alpha, f.n_tail, c.title));
  } else if (c.kind === 'rank') setHover(canvas, wasm.draw_rank_plot(canvas, dpr, JSON.stringify(c.data)));
  else if (c.kind === 'trace_share') setHover(canvas, wasm.draw_trace_share(canvas, dpr, JSON.stringify(c.data)));
  else if (c.kind === 'davis_kahan') setHover(canvas, wasm.draw_davis_kahan(canvas, dpr, JSON.stringify(c.data)));
}

const LABEL = { ccdf: (c) => c.title, rank: (c) => c.data.title, trace_share: () => 'Cumulative trace share of the covariance spectrum',
  davis_kahan: () => 'Davis–Kahan: eigenvector angles between two half-sample estimates against the bound' };

/** The data behind chart `c`, as CSV columns. */
function columns(c) {
  if (c.kind === 'ccdf') return { x: c.points.map((p) => p[0]), ccdf: c.points.map((p) => p[1]) };
  if (c.kind === 'rank') return { eigenvalue: c.data.eigenvalues, baseline: c.data.baseline || [] };
  if (c.kind === 'trace_share') return { share: c.data.share };
  const d = c.data.davis_kahan;
  return { k: d.k, sin_angle: d.sin_angle, bound: d.bound.map((b) => (b === null ? 'inf' : b)), min_gap: d.min_gap };
}

export function initTour(wasm, { post, seed, setBusy }) {
  const presets = JSON.parse(wasm.presets_json());
  const fromLink = tourStepOf(INITIAL_HASH);
  let i = fromLink ? Math.min(Math.max(fromLink, 1), presets.length) - 1 : 0;
  if (fromLink) current = i + 1;
  const remember = () => {
    current = i + 1;
    const base = location.hash.replace(/&tour=\d*/g, '');
    history.replaceState(null, '', `${base || '#'}${tourParam()}`);
  };
  const show = () => {
    const p = presets[i];
    q('tour-pos').textContent = `${i + 1} / ${presets.length}`;
    q('tour-heading').textContent = p.title;
    q('tour-claim').textContent = p.claim;
    document.getElementById('tour-varies').textContent = `Varies: ${p.varies}`;
    q('tour-look').textContent = p.look;
    document.getElementById('tour-source').textContent = `Source: ${p.source}`;
    q('tour-prev').disabled = i === 0;
    q('tour-next').disabled = i === presets.length - 1;
    q('tour-result').hidden = true;
  };
  q('tour-prev').addEventListener('click', () => { if (i > 0) { i -= 1; show(); remember(); } });
  q('tour-next').addEventListener('click', () => { if (i < presets.length - 1) { i += 1; show(); remember(); } });
  // A link edited by hand (or pasted into the same tab) to another step.
  window.addEventListener('hashchange', () => {
    const n = tourStepOf(location.hash);
    if (n && n >= 1 && n <= presets.length && n - 1 !== i) { i = n - 1; current = n; show(); }
  });
  q('tour-run').addEventListener('click', () => {
    setBusy(true);
    post({ type: 'tour-run', name: presets[i].name, seed: seed(), assetBase: new URL('assets/', document.baseURI).href });
  });
  /** The last step's report (the CLI's schema, as `sgn-lab run --preset NAME` writes it). */
  let last = null;
  /** The charts on show, and a generation so a newer step stops an older one's drawing. */
  let charts = [];
  let drawGen = 0;
  const box = q('tour-charts');
  const drawAll = () => {
    const gen = ++drawGen;
    const canvases = [...box.querySelectorAll('canvas')];
    box.setAttribute('aria-busy', 'true');
    // One chart per frame: the main thread never blocks on a whole step's charts.
    const next = (k) => {
      if (gen !== drawGen) return;
      if (k >= charts.length) { box.setAttribute('aria-busy', 'false'); return; }
      drawChart(wasm, canvases[k], charts[k]);
      requestAnimationFrame(() => next(k + 1));
    };
    requestAnimationFrame(() => next(0));
  };
  new ResizeObserver(frameThrottle(() => { if (charts.length && !q('tour-result').hidden) drawAll(); })).observe(box);
  const showCharts = (list, name) => {
    charts = list;
    box.replaceChildren();
    list.forEach((c, k) => {
      const fig = document.createElement('figure');
      const wrap = document.createElement('div');
      wrap.className = 'chart-box sq';
      const canvas = document.createElement('canvas');
      canvas.dataset.testid = `tour-chart-${k}`;
      canvas.dataset.kind = c.kind;
      canvas.setAttribute('role', 'img');
      canvas.dataset.describedby = 'tour-verdicts';
      canvas.setAttribute('aria-label', LABEL[c.kind](c));
      wrap.append(canvas);
      fig.append(wrap);
      box.append(fig);
      addChartExports(canvas, `sgn-lab-${name}-chart${k + 1}-${c.kind}`, () => columns(c));
    });
    drawAll();
  };
  jsonButton(q('tour-json'), () => `sgn-lab-${last ? last.name : 'tour'}-seed${last ? last.seed : seed()}.json`, () => (last ? last.report : '{}'));
  show();
  if (fromLink) {
    remember(); // the page rewrote the hash from the config before the tour was built
    q('tour').scrollIntoView({ block: 'start' });
  }
  return {
    progress(msg) {
      q('tour-progress').value = msg.fraction;
      document.getElementById('tour-stage').textContent = msg.stage;
    },
    report(msg) {
      setBusy(false);
      const r = JSON.parse(msg.report);
      last = { name: msg.name, seed: r.seed, report: msg.report };
      const parts = r.parts && r.parts.length ? [r, ...r.parts] : [r];
      const box = q('tour-verdicts');
      box.replaceChildren();
      for (const part of parts) {
        for (const v of part.verdicts) {
          const line = document.createElement('p');
          line.className = 'verdict-line';
          const tag = document.createElement('span');
          // Three outcomes (report schema 2): a claim this run could not test is neither.
          const outcome = v.tested === false ? 'untested' : v.agrees ? 'agrees' : 'differs';
          tag.className = outcome;
          tag.textContent = { agrees: 'Agrees with the paper. ', differs: 'Differs from the paper. ', untested: 'Could not be tested. ' }[outcome];
          line.append(tag, document.createTextNode(`${v.finding} — ${v.why}`));
          box.append(line);
        }
      }
      const a = parts.flatMap((p) => p.table_a);
      table(q('tour-table-a'), ['Table A: setting', 'rule', 'dim. g', 'dim. SGN', 'iter. g', 'iter. SGN'],
        a.map((x) => [x.setting, x.rule, rate(x.dimension_g), rate(x.dimension_sgn), rate(x.iteration_g), rate(x.iteration_sgn)]));
      const b = parts.flatMap((p) => p.table_b);
      table(q('tour-table-b'), ['Table B: setting', 'K', 'd_ks', 'd_c', 'power law', 'β̂ ± σ', 'ŝ', 'LS slope'],
        b.map((x) => [x.setting, String(x.k), fmt(x.ks_d), fmt(x.ks_critical), x.power_law ? 'yes' : 'no',
          `${fmt(x.beta)} ± ${fmt(x.beta_stderr)}`, `${fmt(x.s)}${x.flat ? ' (flat)' : ''}`, fmt(x.ls_slope)]));
      q('tour-result').hidden = false;
      showCharts(msg.charts ? JSON.parse(msg.charts) : [], msg.name);
    },
  };
}
