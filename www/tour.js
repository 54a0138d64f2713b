// The paper tour: presets in order with previous / next, the paper's claim, and what this run
// found (verdicts, Table A, Table B), all from the engine's report.
import { addChartExports, jsonButton } from './exports.js';
import { frameThrottle } from './canvas.js';
import { drawOffThread } from './offthread.js';
import { runOnPool } from './pool.js';

const q = (id) => document.querySelector(`[data-testid="${id}"]`);

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

/** One claim's verdict as the engine worded it (`experiment::view::verdict::VerdictView`): the
 * badge and the plain sentence, the clauses with ✓ / ✗ / – and their numbers, the details. */
function verdictBlock(c, named) {
  const v = c.verdict;
  const mk = (tag, props, ...kids) => {
    const e = document.createElement(tag);
    Object.assign(e, props);
    e.append(...kids);
    return e;
  };
  const head = mk('p', { className: 'verdict-head' },
    mk('span', { className: `badge ${v.tone}` }, `${v.badge}.`), ' ', named ? `${c.title}: ` : '', v.headline);
  const list = mk('ul', { className: 'clauses' }, ...v.clauses.map((k) => mk('li', { className: k.outcome },
    mk('span', { className: 'mark', ariaHidden: 'true' }, k.mark), ' ',
    mk('span', { className: 'sr-only' }, { holds: 'holds: ', fails: 'fails: ', not_tested: 'not tested: ' }[k.outcome]),
    k.says, ' — ', mk('span', { className: 'key' }, k.key))));
  const details = mk('details', {}, mk('summary', {}, 'Details'), mk('ul', {}, ...v.details.map((d) => mk('li', {}, d))));
  return mk('section', { className: `verdict ${v.tone}` }, head, list, details);
}

/** The step to keep in the URL (1-based; null until a link or the user picked one). */
let current = null;

/** The open tour step for the page's link (`flags.tour`), or null when none was picked. */
export function tourStep() {
  return current;
}

/** Draws chart `c` (one of the step's `charts`, a `plot::Chart` decided by the preset) on `canvas`. */
function drawChart(wasm, canvas, c) {
  return drawOffThread(canvas, { fn: 'chart', chart: c }, (cv, dpr) => wasm.draw_chart(cv, dpr, c));
}

/** The pool's cap, a page setting (not part of the link: it is about this computer). */
const WORKERS_KEY = 'sgn-lab.tour-workers';
function savedCap() {
  try { return Number(localStorage.getItem(WORKERS_KEY)) || 0; } catch { return 0; }
}

/** The page's setting: at most this many pool workers (0: Rust decides), for the tour's steps and
 * a measurement's bootstrap replicates alike. */
let cap = savedCap();
export const poolCap = () => cap;

/** The "Workers" menu beside the tour's settings: automatic (Rust's choice for this browser) or
 * at most N. */
function workersMenu(onChange) {
  const select = document.createElement('select');
  select.id = 'tour-workers';
  select.dataset.testid = 'tour-workers';
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  select.append(new Option('auto', '0'));
  for (let n = 1; n <= Math.min(cores, 16); n++) select.append(new Option(`at most ${n}`, String(n)));
  select.value = String(Math.min(savedCap(), Math.min(cores, 16)));
  select.addEventListener('change', () => {
    try { localStorage.setItem(WORKERS_KEY, select.value); } catch { /* private mode: this page only */ }
    onChange(Number(select.value));
  });
  const lab = document.createElement('label');
  lab.className = 'opt';
  lab.htmlFor = select.id;
  lab.textContent = 'Workers';
  lab.append(' ', select);
  return lab;
}

/** Builds the tour. `fromLink` is the step the page's link opened (its `flags.tour`, read by
 * the engine), `remember()` rewrites the page's link after the step changed. A step runs on the
 * tour's own worker pool (www/pool.js), so the lab's training stays responsive meanwhile;
 * `notice(text, bad)` writes the page's status line. */
export function initTour(wasm, { seed, replicates, setBusy, fromLink, rememberStep, notice }) {
  const presets = wasm.presets();
  let i = fromLink ? Math.min(Math.max(fromLink, 1), presets.length) - 1 : 0;
  if (fromLink) current = i + 1;
  const remember = () => {
    current = i + 1;
    rememberStep();
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

  document.getElementById('tour-settings').append(workersMenu((n) => { cap = n; }));
  /** The step running on the pool (`runOnPool`'s handle), and the tests' hooks. */
  let running = null;
  const hooks = { force: 0, split: '', crashNext: false, last: null };
  q('tour-run').addEventListener('click', () => {
    setBusy(true);
    const name = presets[i].name;
    const s = seed();
    let run = null; // progress can arrive before runOnPool returns (its first, synchronous part)
    run = runOnPool(wasm, {
      name, seed: s, replicates: replicates(), assetBase: new URL('assets/', document.baseURI).href,
      cap, force: hooks.force, split: hooks.split, crashOne: hooks.crashNext,
      onProgress: (p) => { if (run === null || running === run) api.progress(p); },
    });
    running = run;
    hooks.crashNext = false;
    run.promise.then((r) => {
      if (running !== run) return;
      running = null;
      hooks.last = { workers: r.workers, units: r.units, replaced: r.replaced };
      document.getElementById('tour-stage').textContent = `done: ${r.units} unit${r.units > 1 ? 's' : ''} on ${r.workers} worker${r.workers > 1 ? 's' : ''}`;
      try {
        api.report({ name, seed: s, ...r });
      } catch (err) {
        setBusy(false);
        notice(`could not show the tour step: ${err.message || err}`, true);
      }
    }, (err) => {
      if (running !== run) return;
      running = null;
      setBusy(false);
      document.getElementById('tour-stage').textContent = err.cancelled ? 'cancelled' : err.message || String(err);
      if (err.cancelled) notice('Tour step cancelled.');
    });
  });
  // Cancel terminates every worker of the pool; the lab's own worker is not touched.
  q('tour-cancel').addEventListener('click', () => { if (running) running.cancel(); });
  // Hooks for tests/e2e/pool.test.mjs and bench/tour-web.mjs.
  Object.assign(window.sgnLab || (window.sgnLab = {}), {
    tourPool: {
      force(n) { hooks.force = n; },
      split(s) { hooks.split = s; },
      crashNextUnit() { hooks.crashNext = true; },
      last: () => hooks.last,
    },
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
      drawChart(wasm, canvases[k], charts[k]).finally(() => requestAnimationFrame(() => next(k + 1)));
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
      canvas.setAttribute('aria-label', wasm.chart_label(c));
      wrap.append(canvas);
      fig.append(wrap);
      box.append(fig);
      addChartExports(canvas, `sgn-lab-${name}-chart${k + 1}-${c.kind}`, () => wasm.chart_csv(c));
    });
    drawAll();
  };
  jsonButton(q('tour-json'), () => `sgn-lab-${last ? last.name : 'tour'}-seed${last ? last.seed : seed()}.json`, () => (last ? last.report : '{}'));
  show();
  if (fromLink) {
    remember(); // the page rewrote the hash from the config before the tour was built
    q('tour').scrollIntoView({ block: 'start' });
  }
  const api = {
    /** A link edited by hand (or pasted into the same tab) to another step. */
    goTo(n) {
      if (n && n >= 1 && n <= presets.length && n - 1 !== i) { i = n - 1; current = n; show(); }
    },
    /** The pool's progress: the fraction of every unit's work, and units done / total. */
    progress(p) {
      q('tour-progress').value = p.fraction;
      document.getElementById('tour-stage').textContent = `${p.stage} · ${p.done}/${p.total} units done · ${p.workers} worker${p.workers > 1 ? 's' : ''}`
        + (p.replaced ? ` · ${p.replaced} replaced after a crash` : '');
    },
    report(msg) {
      setBusy(false);
      last = { name: msg.name, seed: msg.seed, report: msg.report };
      const view = msg.view;
      const box = q('tour-verdicts');
      box.replaceChildren(...view.claims.map((c) => verdictBlock(c, view.claims.length > 1)));
      table(q('tour-table-a'), view.table_a.head.map((h, k) => (k ? h : `Table A: ${h}`)), view.table_a.rows);
      table(q('tour-table-b'), view.table_b.head.map((h, k) => (k ? h : `Table B: ${h}`)), view.table_b.rows);
      table(q('tour-table-arms'), view.arms.head.map((h, k) => (k ? h : `Arms: ${h}`)), view.arms.rows);
      q('tour-result').hidden = false;
      showCharts(msg.charts, msg.name);
    },
  };
  return api;
}
