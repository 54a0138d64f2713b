// The engine's Web Worker: owns the wasm engine, trains in ~16 ms slices and checks for
// messages between slices, so the page never freezes and pause acts within one slice.
// Protocol (docs/ARCHITECTURE.md): in  {type: 'start'|'play'|'pause'|'step'|'measure'|'bootstrap-counts'|..., ...}
//                                  out {type: 'ready'|'progress'|'stopped'|'error'|'crashed', ...}
// A typed engine error (bad config, divergence, bad file) is an 'error': the session goes on. A
// wasm trap (a Rust panic or an allocation failure) leaves the module in an unknown state, so it
// is a 'crashed': the page then replaces this worker and replays the run (www/app.js).

import { fetchBytes } from './fetch-bytes.js';

// The handler is installed synchronously and the engine is imported dynamically, so a message
// sent while the wasm module is still loading waits for it instead of being lost.
const engine = import('../pkg/sgn_lab.js').then((m) => { m.init_engine(); return m; });
let wasm = null;

const SLICE_MS = 16;
let lab = null;
let running = false;
let generation = 0; // bumps on every start, so a stale loop from an earlier run stops
const datasetCache = new Map();

function post(msg, transfer) {
  self.postMessage(msg, transfer || []);
}

const message = (err) => String(err && err.message ? err.message : err);

/** A trap of the wasm module (panic → `unreachable`, out of memory), not a typed engine error. */
function isCrash(err) {
  return err instanceof WebAssembly.RuntimeError
    || (err instanceof RangeError && /memory|allocation|call stack/i.test(err.message));
}

function fail(err, during) {
  running = false;
  if (isCrash(err)) post({ type: 'crashed', during, message: message(err) });
  else post({ type: 'error', during, message: message(err) });
}


/** The bytes at `url`, fetched once per worker (see fetch-bytes.js for `onProgress`). */
async function datasetBytes(url, onProgress) {
  if (!datasetCache.has(url)) datasetCache.set(url, await fetchBytes(url, onProgress));
  return datasetCache.get(url);
}

/** Runs one slice and posts its records (the steps' losses and the evaluations as typed arrays,
 * transferred; the read-out worded by the engine); returns false when training has finished. */
function slice(budgetMs, maxSteps) {
  const out = lab.train_for(budgetMs, maxSteps);
  const arrays = ['steps', 'losses', 'eval_steps', 'eval_accuracy'];
  for (const k of arrays) out[k] = Float64Array.from(out[k]);
  post({ type: 'progress', ...out }, arrays.map((k) => out[k].buffer));
  // A step that failed after others in this slice (divergence): those were posted above.
  if (out.error) throw new Error(out.error);
  return !out.finished;
}

const measureProgress = (stage, fraction) => post({ type: 'measure-progress', stage, fraction });

/** A measurement waits for its bootstrap counts from the page's pool: Play and Step wait with it
 * (in `held`), so the measurement and its report describe the weights it was begun at. */
let measurePending = false;
const held = [];

/** Completes the measurement begun by `Lab.measure_begin`: its bootstraps run here (`counts`
 * null) or were counted on the pool; then the held messages run. */
function finishMeasure(counts) {
  measurePending = false;
  try {
    const r = lab.measure_finish(counts, measureProgress);
    post({ type: 'measured', view: r.view, report: r.report, samples: r.samples }, Object.values(r.samples).map((a) => a.buffer));
  } finally {
    for (const m of held.splice(0)) self.onmessage({ data: m });
  }
}

function loop(gen) {
  if (!running || gen !== generation) return;
  try {
    if (!slice(SLICE_MS, 1 << 30)) {
      running = false;
      post({ type: 'stopped', reason: 'finished' });
      return;
    }
  } catch (err) {
    fail(err, 'play');
    return;
  }
  setTimeout(() => loop(gen), 0);
}

self.onmessage = async (event) => {
  const msg = event.data;
  try {
    wasm = await engine;
    if (measurePending && (msg.type === 'play' || msg.type === 'step')) { held.push(msg); return; }
    switch (msg.type) {
      case 'start': {
        // A new run: a measurement still waiting for its bootstraps is dropped (the page stopped them).
        measurePending = false;
        held.length = 0;
        running = false;
        generation += 1;
        const gen = generation;
        if (lab) { lab.free(); lab = null; }
        const asset = wasm.dataset_asset(msg.config);
        const bytes = asset ? await datasetBytes(new URL(asset, msg.assetBase).href, (done, total) => {
          if (gen === generation) post({ type: 'load-progress', file: asset, done, total });
        }) : new Uint8Array(0);
        if (gen !== generation) break; // a newer start arrived while the dataset was loading
        lab = new wasm.Lab(msg.config, bytes);
        post({ type: 'ready', facts: lab.facts() });
        break;
      }
      case 'play':
        if (lab && !running) {
          running = true;
          loop(generation);
        }
        break;
      case 'pause':
        if (running) {
          running = false;
          post({ type: 'stopped', reason: 'paused' });
        }
        break;
      case 'measure': {
        if (!lab) break;
        if (running) {
          running = false;
          post({ type: 'stopped', reason: 'paused' });
        }
        // The measurement without its bootstraps; when Rust says they pay on the page's pool,
        // the page counts them there (www/pool.js) and sends back 'bootstrap-counts'.
        const begun = lab.measure_begin(msg.analysis, measureProgress, msg.hints);
        if (begun.bootstrap) {
          measurePending = true;
          post({ type: 'measure-bootstrap', plan: begun.bootstrap });
        } else finishMeasure(null);
        break;
      }
      case 'bootstrap-counts':
        if (lab && measurePending) finishMeasure(msg.counts);
        break;
      case 'check-measure':
        // Whether a measurement with these settings fits, without running it (the page's Measure
        // button and the note beside the setting that drives a refusal).
        if (lab) post({ type: 'measure-check', id: msg.id, check: lab.check_measure(msg.config, msg.fromMenu) });
        break;
      case 'analyze': {
        // "Your own gradients" (src/web/upload.rs): the File is streamed into the engine chunk by
        // chunk, so its bytes exist once (in the engine); the size is checked before reading.
        const file = msg.file;
        const up = new wasm.Upload(file.name, file.size, msg.options.memory_cap || 0);
        try {
          const reader = file.stream().getReader();
          let last = 0;
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            up.push(value);
            if (performance.now() - last > 100) { last = performance.now(); post({ type: 'upload-progress', stage: 'reading', done: up.received(), total: file.size }); }
          }
          post({ type: 'upload-progress', stage: 'reading', done: up.received(), total: file.size });
          const r = up.analyze(JSON.stringify(msg.options), (fraction) => post({ type: 'upload-progress', stage: 'analysing', fraction }));
          const out = { type: 'analyzed', name: file.name, kind: r.kind, report: r.report, rank_plot: r.rank_plot, row0: r.row0, col0: r.col0, col0_title: r.col0_title };
          post(out, [r.row0, r.col0].filter(Boolean).map((x) => x.buffer));
        } finally {
          up.free();
        }
        break;
      }
      case 'step':
        if (lab && !running) slice(Infinity, msg.steps || 1);
        break;
      case 'stats':
        // For the soak test and the curious: the engine's linear memory (it grows, never shrinks).
        post({ type: 'stats', wasmBytes: wasm.wasm_memory_bytes(), liveBytes: wasm.wasm_live_bytes() });
        break;
      case 'selftest-panic':
        // The crash-recovery self-test (tests/e2e/reliability.test.mjs): a real Rust panic.
        wasm.selftest_panic();
        break;
      case 'selftest-throw':
        // The worker-error self-test: an exception outside any handler reaches the page's onerror.
        setTimeout(() => { throw new Error('deliberate worker error'); }, 0);
        break;
      default:
        throw new Error(`unknown message ${msg.type}`);
    }
  } catch (err) {
    // A bad upload is reported without touching a training run in progress.
    if (!isCrash(err) && msg.type === 'analyze') post({ type: 'error', during: msg.type, message: message(err) });
    else fail(err, msg.type);
  }
};
