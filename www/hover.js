// Hover read-out for chart canvases. The wasm draw_* functions return a hover index (JSON): the
// plotting area and, per series, its name, axis names, data values and the points' positions in
// backing-store pixels (src/plot/hover.rs). Here we only look points up and show them: a small
// tooltip (textContent only) and a crosshair made of absolutely positioned elements over the
// canvas, so the chart itself is never redrawn. Mouse, pen and touch use pointer events; with the
// keyboard, a focused chart steps through its points with the arrow keys.

const RADIUS_CSS = 12; // how near (CSS px) the pointer must be to a point
const RADIUS_TOUCH_CSS = 24;
const charts = new WeakMap();

function div(cls, parent) {
  const e = document.createElement('div');
  e.className = cls;
  parent.append(e);
  return e;
}

/** A shared, visually hidden note the charts point to with aria-describedby (made once). */
function noteId(id, text) {
  if (!document.getElementById(id)) {
    const p = document.createElement('p');
    p.id = id;
    p.className = 'visually-hidden';
    p.textContent = text;
    (document.querySelector('main') || document.body).append(p);
  }
  return id;
}

/**
 * A chart's description for assistive technology (aria-describedby, in this order): what the
 * numbers say — the verdict, table or readout the canvas names in `data-describedby` —, that the
 * CSV export is the chart's long description (every value drawn), and how to read values with
 * the keyboard.
 */
function describe(canvas) {
  const ids = (canvas.dataset.describedby || '').split(/\s+/).filter((id) => id && document.getElementById(id));
  ids.push(noteId('chart-longdesc', 'Long description: the CSV button under this chart downloads every value it draws; '
    + 'the verdict and tables beside it state what the numbers show.'));
  ids.push(noteId('hover-help', 'Chart values: use the left and right arrow keys to step through the points, '
    + 'up and down to change series, Escape to hide.'));
  canvas.setAttribute('aria-describedby', ids.join(' '));
}

function attach(canvas) {
  const box = canvas.parentElement;
  const s = {
    index: null, shown: null, pointer: null,
    tip: div('hover-tip', box), v: div('hover-line hover-v', box), h: div('hover-line hover-h', box), dot: div('hover-dot', box),
  };
  if (canvas.dataset.testid) s.tip.dataset.testid = `hover-${canvas.dataset.testid}`;
  s.tip.setAttribute('aria-live', 'polite');
  hide(s);
  if (!canvas.hasAttribute('tabindex')) canvas.tabIndex = 0;
  describe(canvas);

  const index = () => s.index;
  const scale = () => canvas.width / Math.max(1, canvas.getBoundingClientRect().width);
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    const k = canvas.width / Math.max(1, r.width);
    return { x: (e.clientX - r.left) * k, y: (e.clientY - r.top) * k, radius: (e.pointerType === 'touch' ? RADIUS_TOUCH_CSS : RADIUS_CSS) * k };
  };
  const onPointer = (e) => {
    const idx = index();
    if (!idx) return;
    s.pointer = at(e);
    const hit = nearest(idx, s.pointer);
    if (hit) show(s, canvas, idx, hit, scale()); else hide(s);
  };
  canvas.addEventListener('pointermove', onPointer);
  canvas.addEventListener('pointerdown', onPointer);
  canvas.addEventListener('pointerleave', (e) => {
    if (e.pointerType === 'touch') return; // a tap's tooltip stays until the next tap elsewhere
    s.pointer = null;
    hide(s);
  });
  document.addEventListener('pointerdown', (e) => { if (e.target !== canvas && s.shown) hide(s); });
  canvas.addEventListener('blur', () => { if (s.shown && s.shown.key) hide(s); });
  canvas.addEventListener('keydown', (e) => {
    const idx = index();
    if (!idx || !idx.series.length) return;
    if (e.key === 'Escape') { hide(s); return; }
    const cur = s.shown && s.shown.key ? s.shown : { series: 0, i: -1 };
    let { series, i } = cur;
    const n = () => idx.series[series].x.length;
    switch (e.key) {
      case 'ArrowRight': i = i < 0 ? 0 : Math.min(i + 1, n() - 1); break;
      case 'ArrowLeft': i = i < 0 ? 0 : Math.max(i - 1, 0); break;
      case 'PageDown': i = Math.min(Math.max(i, 0) + Math.max(1, Math.round(n() / 10)), n() - 1); break;
      case 'PageUp': i = Math.max(i - Math.max(1, Math.round(n() / 10)), 0); break;
      case 'Home': i = 0; break;
      case 'End': i = n() - 1; break;
      case 'ArrowUp':
      case 'ArrowDown': {
        // Next / previous series, at the point nearest in x to the current one.
        const x = i >= 0 ? idx.series[series].px[2 * i] : null;
        series = (series + (e.key === 'ArrowDown' ? 1 : idx.series.length - 1)) % idx.series.length;
        i = x === null ? 0 : closestX(idx.series[series], x);
        break;
      }
      default: return;
    }
    e.preventDefault();
    show(s, canvas, idx, { series, i, key: true }, scale());
  });
  charts.set(canvas, s);
  return s;
}

function nearest(idx, p) {
  // Strictly nearer wins, so on a tie the earlier series (the data, not a fit) is shown.
  let best = null;
  let bestD = p.radius * p.radius + 1e-9;
  idx.series.forEach((ser, k) => {
    const px = ser.px;
    for (let i = 0; i < px.length; i += 2) {
      const dx = px[i] - p.x;
      const dy = px[i + 1] - p.y;
      const d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = { series: k, i: i / 2 }; }
    }
  });
  return best;
}

function closestX(ser, x) {
  let best = 0;
  for (let i = 1; i < ser.x.length; i++) if (Math.abs(ser.px[2 * i] - x) < Math.abs(ser.px[2 * best] - x)) best = i;
  return best;
}

function hide(s) {
  s.shown = null;
  for (const e of [s.tip, s.v, s.h, s.dot]) e.hidden = true;
}

function show(s, canvas, idx, hit, k) {
  const ser = idx.series[hit.series];
  s.shown = hit;
  const line = (label, value) => {
    const row = document.createElement('div');
    const b = document.createElement('span');
    b.className = 'k';
    b.textContent = label;
    const v = document.createElement('span');
    v.className = 'v';
    v.textContent = value;
    row.append(b, v);
    return row;
  };
  const name = document.createElement('div');
  name.className = 'name';
  name.textContent = ser.name;
  s.tip.replaceChildren(name, line(ser.x_name, ser.x_text[hit.i]), line(ser.y_name, ser.y_text[hit.i]));
  s.tip.dataset.series = ser.name;
  s.tip.dataset.x = String(ser.x[hit.i]);
  s.tip.dataset.y = String(ser.y[hit.i]);

  // Backing pixels → CSS pixels inside the chart box (the canvas sits at its top left).
  const ox = canvas.offsetLeft;
  const oy = canvas.offsetTop;
  const x = ox + ser.px[2 * hit.i] / k;
  const y = oy + ser.px[2 * hit.i + 1] / k;
  const [l, t, r, b] = idx.area.map((v) => v / k);
  Object.assign(s.v.style, { left: `${x}px`, top: `${oy + t}px`, height: `${Math.max(0, b - t)}px` });
  Object.assign(s.h.style, { top: `${y}px`, left: `${ox + l}px`, width: `${Math.max(0, r - l)}px` });
  Object.assign(s.dot.style, { left: `${x}px`, top: `${y}px` });
  for (const e of [s.tip, s.v, s.h, s.dot]) e.hidden = false;

  // Tooltip: up and to the right of the point, flipped to stay inside the chart box.
  const box = canvas.parentElement;
  const gap = 12;
  const w = s.tip.offsetWidth;
  const h = s.tip.offsetHeight;
  let left = x + gap;
  if (left + w > box.clientWidth) left = x - gap - w;
  left = Math.max(0, Math.min(left, box.clientWidth - w));
  let top = y - gap - h;
  if (top < 0) top = y + gap;
  top = Math.max(0, Math.min(top, box.clientHeight - h));
  Object.assign(s.tip.style, { left: `${left}px`, top: `${top}px` });
}

/**
 * Gives `canvas` (inside a positioned .chart-box) the hover index returned by a wasm draw call
 * (an object: the plotting area and the series with their points, values and read-out texts);
 * the first call attaches the listeners. A shown read-out follows the new data.
 */
export function setHover(canvas, index) {
  if (!index || !Array.isArray(index.series)) return;
  const s = charts.get(canvas) || attach(canvas);
  s.index = index;
  // The drawn series' names, for tests and tools (e.g. whether a CCDF carries its fit line).
  canvas.dataset.series = index.series.map((ser) => ser.name).join(' | ');
  if (!s.shown) return;
  const k = canvas.width / Math.max(1, canvas.getBoundingClientRect().width);
  if (s.shown.key) {
    const ser = index.series[s.shown.series];
    if (ser && ser.x.length) show(s, canvas, index, { ...s.shown, i: Math.min(s.shown.i, ser.x.length - 1) }, k);
    else hide(s);
  } else {
    const hit = s.pointer && nearest(index, s.pointer);
    if (hit) show(s, canvas, index, hit, k); else hide(s);
  }
}
