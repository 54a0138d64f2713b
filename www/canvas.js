// Canvas sizing: the backing store is the CSS size × devicePixelRatio, so charts drawn by the
// wasm plotters code (which scales fonts and strokes by the same ratio) are crisp on HiDPI screens.

/** Resizes `canvas` to its CSS box × dpr; returns the dpr used. */
export function fitCanvas(canvas) {
  const dpr = Math.min(Math.max(window.devicePixelRatio || 1, 1), 4);
  const rect = canvas.getBoundingClientRect();
  const w = Math.max(1, Math.round(rect.width * dpr));
  const h = Math.max(1, Math.round(rect.height * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  return dpr;
}

/** Calls `draw` at most once per animation frame, however often it is requested. */
export function frameThrottle(draw) {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };
}
