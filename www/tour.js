// The paper tour: presets in order with previous / next, the paper's claim, and what this run
// found (verdicts, Table A, Table B), all from the engine's report.
import { addChartExports, jsonButton } from './exports.js';
import { fitCanvas, frameThrottle } from './canvas.js';
import { setHover } from './hover.js';

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
  setHover(canvas, wasm.draw_chart(canvas, fitCanvas(canvas), c));
}

/** Builds the tour. `fromLink` is the step the page's link opened (its `flags.tour`, read by
 * the engine), `remember()` rewrites the page's link after the step changed. */
export function initTour(wasm, { post, seed, replicates, setBusy, fromLink, rememberStep }) {
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

  q('tour-run').addEventListener('click', () => {
    setBusy(true);
    post({ type: 'tour-run', name: presets[i].name, seed: seed(), replicates: replicates(), assetBase: new URL('assets/', document.baseURI).href });
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
  return {
    /** A link edited by hand (or pasted into the same tab) to another step. */
    goTo(n) {
      if (n && n >= 1 && n <= presets.length && n - 1 !== i) { i = n - 1; current = n; show(); }
    },
    progress(msg) {
      q('tour-progress').value = msg.fraction;
      document.getElementById('tour-stage').textContent = msg.stage;
    },
    report(msg) {
      setBusy(false);
      last = { name: msg.name, seed: seed(), report: msg.report };
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
}
