// Charts drawn off the main thread (issue #16: no main-thread task over 50 ms). A chart of a
// measurement's sample (10⁵ values: sorted, thinned, drawn) or of a spectrum takes 10–35 ms of
// wasm; here the chart worker (www/chart-worker.js) draws it on an OffscreenCanvas and this thread
// only copies the finished picture onto the page's canvas (drawImage of an ImageBitmap the size
// of the canvas: a copy, pixel for pixel) and installs its hover index. The canvas stays an
// ordinary <canvas>: its pixels can be read and exported as before.
//
// The newest request for a canvas wins (an older answer is dropped). Where there is no
// OffscreenCanvas 2-D context (older WebKit), or the worker fails to draw (a typed engine error,
// a crash), the chart is drawn here instead by `local()`, which shows any error as it always did.
import { setHover } from './hover.js';
import { fitCanvas } from './canvas.js';

let worker = null;
let nextId = 1;
/** id → {resolve, reject} of the requests in flight. */
const inFlight = new Map();
/** canvas → id of its newest request. */
const newest = new WeakMap();

const offscreen2d = (() => {
  try {
    return typeof OffscreenCanvas === 'function' && !!new OffscreenCanvas(1, 1).getContext('2d');
  } catch {
    return false;
  }
})();

function chartWorker() {
  if (!offscreen2d) return null;
  if (!worker) {
    worker = new Worker(new URL('./chart-worker.js', import.meta.url));
    worker.onmessage = ({ data }) => {
      const p = inFlight.get(data.id);
      inFlight.delete(data.id);
      if (!p) { if (data.bitmap) data.bitmap.close(); return; }
      if (data.error) p.reject(new Error(data.error)); else p.resolve(data);
    };
    worker.onerror = (e) => {
      // A crash (a trap in the drawing code): every request in flight is drawn here instead, and
      // the next request starts a new worker.
      e.preventDefault();
      worker.terminate();
      worker = null;
      for (const p of inFlight.values()) p.reject(new Error(e.message || 'the chart worker stopped'));
      inFlight.clear();
    };
  }
  return worker;
}

/** Starts the chart worker ahead of its first chart (its wasm module loads meanwhile). */
export function warmChartWorker() {
  chartWorker();
}

/**
 * Draws on `canvas`, in the chart worker, what `request` describes ({fn: 'chart', chart} or
 * {fn: 'sample', view, values, title, fit}: the arguments of `draw_chart` / `draw_sample`), at
 * the canvas's CSS size × devicePixelRatio. `local(canvas, dpr)` draws the same on this thread
 * (the fallback) and returns the hover index. Resolves once the picture is on the canvas (or a
 * newer request for it has superseded this one).
 */
export function drawOffThread(canvas, request, local) {
  const dpr = fitCanvas(canvas);
  const w = chartWorker();
  const id = nextId++;
  newest.set(canvas, id);
  const here = () => { if (newest.get(canvas) === id) setHover(canvas, local(canvas, dpr)); };
  if (!w) { here(); return Promise.resolve(); }
  const { width, height } = canvas;
  return new Promise((resolve, reject) => {
    inFlight.set(id, { resolve, reject });
    w.postMessage({ id, width, height, dpr, ...request });
  }).then(({ bitmap, hover }) => {
    if (newest.get(canvas) !== id) { bitmap.close(); return; }
    // (Resized meanwhile: the resize's own redraw, a newer request, follows.)
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    setHover(canvas, hover);
  }, () => here());
}
