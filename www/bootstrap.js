// Entry point: an async boundary before anything imports the wasm module (webpack requirement),
// and a readable message if the page cannot start at all.
import('./app.js').catch((err) => {
  const box = document.getElementById('fatal');
  box.textContent = `sgn-lab could not start: ${err && err.message ? err.message : err}. ` +
    'It needs a browser with WebAssembly (any current Chrome, Firefox, Safari or Edge).';
  box.hidden = false;
});
