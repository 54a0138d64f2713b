// Entry point: checks that this browser has what the build needs, then an async boundary before
// anything imports the wasm module (webpack requirement), and a readable message if the page
// cannot start at all — never a blank page.
//
// What the build needs (README "Browsers"): WebAssembly with fixed-width SIMD (the engine is
// compiled with +simd128: Chrome/Edge ≥ 91, Firefox ≥ 89, Safari ≥ 16.4 — the binding constraint
// for older iPads), JavaScript BigInt (wasm-bindgen passes 64-bit integers as BigInt), Web Workers
// (the engine runs in one) and structuredClone (the page copies its configuration with it).

/** A wasm module whose one function uses SIMD (i8x16.splat, i8x16.popcnt): valid only where
 * the engine has fixed-width SIMD. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** The features the page needs that this browser lacks (empty: all there). */
export function missingFeatures(g = globalThis) {
  const missing = [];
  const wasm = typeof g.WebAssembly === 'object' && g.WebAssembly !== null && typeof g.WebAssembly.validate === 'function';
  if (!wasm) missing.push('WebAssembly');
  else {
    let simd = false;
    try { simd = g.WebAssembly.validate(SIMD_PROBE); } catch { simd = false; }
    if (!simd) missing.push('WebAssembly SIMD');
  }
  if (typeof g.BigInt !== 'function') missing.push('BigInt');
  if (typeof g.Worker !== 'function') missing.push('Web Workers');
  if (typeof g.structuredClone !== 'function') missing.push('structuredClone');
  return missing;
}

function fatal(text) {
  const box = document.getElementById('fatal');
  box.textContent = text;
  box.hidden = false;
  // Nothing below can work: say so in the run panel too, instead of "Starting the engine…".
  const status = document.getElementById('status');
  if (status) { status.textContent = 'The lab cannot run in this browser (see the message at the top).'; status.classList.add('bad'); }
}

const missing = missingFeatures();
if (missing.length) {
  fatal(`sgn-lab cannot run in this browser: it lacks ${missing.join(', ')}. `
    + 'It needs Chrome or Edge 91 or later, Firefox 89 or later, or Safari 16.4 or later '
    + '(on an iPad or iPhone: iPadOS / iOS 16.4 or later, in any browser). Please update the browser or use another one.');
} else {
  import('./app.js').catch((err) => {
    fatal(`sgn-lab could not start: ${err && err.message ? err.message : err}. `
      + 'It needs a browser with WebAssembly SIMD (Chrome or Edge 91+, Firefox 89+, Safari 16.4+).');
  });
}
