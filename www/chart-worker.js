// The chart worker: draws a chart on an OffscreenCanvas with the same wasm drawing code the page
// uses (src/web/charts.rs: `draw_chart`, `draw_sample`; the backend measures text with the
// context's own measureText, so it draws the same off the main thread) and sends back the
// picture as an ImageBitmap (transferred) with the chart's hover index. It holds no state: each
// request carries everything the chart needs. See www/offthread.js.
// Protocol: in  {id, width, height, dpr, fn: 'chart', chart} or {id, width, height, dpr, fn: 'sample', view, values, title, fit}
//           out {id, bitmap, hover} or {id, error} (a typed engine error: the page draws it itself, and shows the error there)
const engine = import('../pkg/sgn_lab.js').then((m) => { m.init_engine(); return m; });

self.onmessage = async ({ data: m }) => {
  try {
    const wasm = await engine;
    const canvas = new OffscreenCanvas(m.width, m.height);
    const hover = m.fn === 'chart'
      ? wasm.draw_chart(canvas, m.dpr, m.chart)
      : wasm.draw_sample(canvas, m.dpr, m.view, m.values, m.title, m.fit);
    const bitmap = canvas.transferToImageBitmap();
    self.postMessage({ id: m.id, bitmap, hover }, [bitmap]);
  } catch (err) {
    self.postMessage({ id: m.id, error: String(err && err.message ? err.message : err) });
  }
};
