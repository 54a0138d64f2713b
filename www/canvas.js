// Canvas sizing: the backing store is the CSS size × devicePixelRatio, so charts drawn by the
// wasm plotters code (which scales fonts and strokes by the same ratio) are crisp on HiDPI screens.
//
// The CSS size comes from a ResizeObserver, not from getBoundingClientRect() at draw time: a
// chart is redrawn in an animation-frame callback after the page's text changed (the training
// read-outs change every frame), and reading a layout box then forces a synchronous layout of the
// whole page first (docs/RELIABILITY.md "Main thread"). The observer reports sizes after the
// browser's own layout; only a canvas's first draw measures it directly.

/** CSS border-box size of each observed canvas: [width, height]. */
const sizes = new WeakMap();
const observer = typeof ResizeObserver === 'function' ? new ResizeObserver((entries) => {
  for (const e of entries) {
    const b = e.borderBoxSize && e.borderBoxSize[0];
    sizes.set(e.target, b ? [b.inlineSize, b.blockSize] : [e.contentRect.width, e.contentRect.height]);
  }
}) : null;

/** The CSS size of `canvas`, [width, height]. */
function cssSize(canvas) {
  const known = sizes.get(canvas);
  // (0 × 0: hidden when last observed; it may have been shown since, before the observer ran.)
  if (known && known[0] > 0 && known[1] > 0) return known;
  const rect = canvas.getBoundingClientRect();
  const size = [rect.width, rect.height];
  if (observer && !sizes.has(canvas)) observer.observe(canvas);
  sizes.set(canvas, size);
  return size;
}

/** Resizes `canvas` to its CSS box × dpr; returns the dpr used. */
export function fitCanvas(canvas) {
  const dpr = Math.min(Math.max(window.devicePixelRatio || 1, 1), 4);
  const [cw, ch] = cssSize(canvas);
  const w = Math.max(1, Math.round(cw * dpr));
  const h = Math.max(1, Math.round(ch * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  return dpr;
}

/**
 * Calls `draw` at most once per animation frame, however often it is requested. With `maxShare`
 * below 1, a draw that took d ms is followed by at least d / maxShare − d ms without one, so
 * redrawing takes at most that share of the main thread: a chart redrawn while training keeps
 * every frame on a fast machine (a draw of 2 ms) and slows to a few per second on a slow one,
 * leaving the rest of the main thread to the page.
 */
export function frameThrottle(draw, { maxShare = 1 } = {}) {
  let pending = false;
  let next = 0;
  const run = (now) => {
    if (now < next) {
      requestAnimationFrame(run);
      return;
    }
    pending = false;
    const t0 = performance.now();
    draw();
    next = t0 + (performance.now() - t0) / maxShare;
  };
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(run);
  };
}
