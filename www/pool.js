// The page's worker pool: independent units of work spread over workers, each with its own
// wasm instance (www/pool-worker.js). Two kinds of work use it: a tour step's units (its
// replicates, or the paper tour's (replicate, part) pairs, `runOnPool`) and a measurement's
// bootstrap chunks (`runBootstrapOnPool`). Rust decides everything that matters — how many
// workers, which units, and how their results combine (src/web/tour.rs, src/web/lab.rs,
// experiment::presets::units), so the result is byte-identical with 1, 2 or 8 workers; this file
// only dispatches (`dispatch`): it gives each idle worker the next unit, counts units done for
// the progress bar, replaces a worker that crashed and reruns its unit, and terminates every
// worker on cancel or when the work is over.

import { fetchBytes } from './fetch-bytes.js';

/** A unit that crashes its worker this many times ends the run with an error. */
const MAX_CRASHES = 3;

const mb = (bytes) => (bytes / 1e6).toFixed(1);

/** Datasets fetched by the page, kept for later steps (the workers get copies). */
const assetCache = new Map();

/**
 * Runs `total` units on `size` workers. `setup` is the message every new worker gets first,
 * `unitMessage(i)` the message of unit i; a worker answers 'unit-progress' {index, fraction,
 * stage}, 'unit-report' {index, report} (the unit's result), 'unit-error' (a typed engine error:
 * the run fails) or 'crashed' (a trap: the worker is replaced and the unit runs again). When every
 * unit is in, `combine(results, worker)` may send the last message to one worker and return true
 * (its answer goes to `onMessage`), or return false and the run resolves with the results.
 * `onMessage(msg, end)` receives any other answer. `onProgress({stage, fraction, done, total,
 * workers, replaced})`. `spare`: workers to take before starting new ones, and where this run's
 * workers go when it ends well. `depth`: units sent to a worker ahead of its answers (1: one at
 * a time). Returns `{promise, end}`.
 */
function dispatch({ size, total, setup, unitMessage, combine = () => false, onMessage = () => {}, onProgress, spare = null, depth = 1 }) {
  const workers = [];
  let finished = false;
  let settle;
  const promise = new Promise((resolve, reject) => { settle = { resolve, reject }; });
  const end = (err, value) => {
    if (finished) return;
    finished = true;
    for (const w of workers) {
      // After a run that ended well, `spare` keeps its workers (their wasm instantiated) for the
      // next run; after an error or a cancel they may be mid-unit, so they go.
      if (!err && spare) { w.worker.onmessage = null; w.worker.onerror = null; spare.push(w.worker); } else w.worker.terminate();
    }
    if (err) settle.reject(err); else settle.resolve(value);
  };
  const results = new Array(total);
  const fractions = new Float64Array(total);
  const crashes = new Uint8Array(total);
  const queue = Array.from({ length: total }, (_, i) => i);
  let done = 0;
  let replaced = 0;
  let combining = false;
  const report = (stage) => onProgress({ stage, fraction: fractions.reduce((a, b) => a + b, 0) / total, done, total, workers: size, replaced });
  const start = () => {
    const reused = spare && spare.length ? spare.pop() : null;
    // `units`: the units sent to this worker and not yet answered (at most `depth`, so a worker
    // that finishes one has the next already queued instead of waiting for this thread);
    // `combining`: it was sent the combine message.
    const slot = { worker: reused || new Worker(new URL('./pool-worker.js', import.meta.url)), units: [], combining: false };
    slot.worker.postMessage(setup);
    slot.worker.onmessage = ({ data }) => receive(slot, data);
    slot.worker.onerror = (e) => { e.preventDefault(); crashed(slot, e.message || 'worker error'); };
    return slot;
  };
  const next = (slot) => {
    if (finished) return;
    while (queue.length && slot.units.length < depth) {
      const i = queue.shift();
      slot.units.push(i);
      slot.worker.postMessage(unitMessage(i));
    }
    if (done === total && !combining) {
      combining = true;
      slot.combining = true;
      if (!combine(results, slot.worker, report)) end(null, { results, workers: size, units: total, replaced });
    }
  };
  /** A crashed worker (a wasm trap or an uncaught error): a new one takes its place and its
   * units run again (from their start: units are independent, so the rerun gives the same result). */
  const crashed = (slot, why) => {
    if (finished) return;
    const k = workers.indexOf(slot);
    slot.worker.terminate();
    if (slot.combining) { end(new Error(`combining the units failed: ${why}`)); return; }
    for (const unit of slot.units) {
      crashes[unit] += 1;
      if (crashes[unit] >= MAX_CRASHES) { end(new Error(`a unit crashed its worker ${MAX_CRASHES} times: ${why}`)); return; }
      fractions[unit] = 0;
    }
    queue.unshift(...slot.units);
    workers[k] = start();
    replaced += 1;
    report(`a worker crashed (${why}); replaced, its unit runs again`);
    next(workers[k]);
  };
  const receive = (slot, msg) => {
    if (finished) return;
    switch (msg.type) {
      case 'unit-progress':
        fractions[msg.index] = msg.fraction;
        report(msg.stage);
        break;
      case 'unit-report':
        slot.units = slot.units.filter((i) => i !== msg.index);
        results[msg.index] = msg.report;
        fractions[msg.index] = 1;
        done += 1;
        report(`${done} of ${total} units done`);
        next(slot);
        break;
      case 'crashed':
        crashed(slot, msg.message);
        break;
      case 'unit-error':
        end(new Error(msg.message));
        break;
      default:
        onMessage(msg, end, { workers: size, units: total, replaced });
    }
  };
  for (let k = 0; k < size; k++) workers.push(start());
  report(`${total} units on ${size} worker${size > 1 ? 's' : ''}`);
  for (const w of workers) next(w);
  return { promise, end };
}

/**
 * Runs tour step `name` on the pool. `workers` caps the pool (0: as many as Rust decides for
 * this browser), `force` sets it exactly (tests, benchmark), `split` forces the units' split
 * ('' lets Rust decide). `onProgress({stage, fraction, done, total, workers, replaced})` reports the pool
 * (`replaced`: workers replaced after a crash).
 * Returns `{promise, cancel}`: the promise resolves to `{report, charts, view, workers,
 * units, replaced}` or rejects with the step's error (`cancelled: true` after cancel). `crashOne: true`
 * makes the first unit panic mid-run (the crash-recovery test).
 */
export function runOnPool(wasm, { name, seed, replicates, assetBase, cap = 0, force = 0, split = '', crashOne = false, onProgress }) {
  let run = null;
  let cancelled = null;
  let settle;
  const promise = new Promise((resolve, reject) => { settle = { resolve, reject }; });

  (async () => {
    const plan = wasm.tour_pool(name, BigInt(seed), replicates, {
      hardware_concurrency: navigator.hardwareConcurrency || 1,
      device_memory_gib: navigator.deviceMemory || 0,
      cap, force, split,
    });
    const units = plan.units;
    const total = units.length;
    const size = Math.max(1, Math.min(plan.workers, total));
    const assets = {};
    const files = wasm.preset_assets(name);
    for (const [i, file] of files.entries()) {
      const stage = `loading ${file} (${i + 1}/${files.length})`;
      onProgress({ stage, fraction: 0, done: 0, total, workers: size });
      if (!assetCache.has(file)) {
        assetCache.set(file, await fetchBytes(new URL(file, assetBase).href, (done, all) =>
          onProgress({ stage: `${stage}: ${mb(done)}${all ? ` of ${mb(all)}` : ''} MB`, fraction: 0, done: 0, total, workers: size })));
      }
      assets[file] = assetCache.get(file);
      if (cancelled) throw cancelled;
    }
    let crashNext = crashOne;
    run = dispatch({
      size, total, onProgress,
      setup: { type: 'assets', assets },
      unitMessage: (index) => {
        const msg = { type: 'unit', index, name, seed, replicates, unit: units[index] };
        // The crash-recovery test's hook (tests/e2e/pool.test.mjs).
        if (crashNext) { crashNext = false; msg.selftestCrashAt = 0.05; }
        return msg;
      },
      combine: (reports, worker, report) => {
        report('combining the units');
        worker.postMessage({ type: 'combine', name, seed, replicates, units, reports });
        return true;
      },
      onMessage: (msg, end, pool) => {
        if (msg.type === 'combined') end(null, { report: msg.report, charts: msg.charts, view: msg.view, ...pool });
        else end(new Error(`unknown message ${msg.type}`));
      },
    });
    if (cancelled) run.end(cancelled);
    return run.promise;
  })().then(settle.resolve, settle.reject);

  return {
    promise,
    cancel() {
      cancelled = new Error('cancelled');
      cancelled.cancelled = true;
      if (run) run.end(cancelled);
    },
  };
}

/** The bootstrap's workers between measurements: a worker's start (its wasm module fetched,
 * compiled and instantiated) costs about what a bootstrap of 1000 replicates at n = 1000 does,
 * so they are kept, idle, for the next measurement (each holds its wasm instance, a few MB). */
const spareBootstrapWorkers = [];

/**
 * Counts a measurement's bootstrap chunks on the pool: `plan` is `Lab.measure_begin`'s
 * `bootstrap` ({workers, replicates, jobs, chunks: [[job, start, end], …]}). Each worker gets the
 * jobs once and counts one chunk at a time (src/web/bootstrap.rs); the counts of a job's chunks
 * are integers, summed here in chunk order. `onProgress({stage, fraction, done, total, workers})`.
 * Returns `{promise, cancel}`: the promise resolves to `{counts: [{used, at_least_as_far}, …]
 * per job, workers, units, replaced}`.
 */
export function runBootstrapOnPool(plan, { onProgress }) {
  const run = dispatch({
    spare: spareBootstrapWorkers,
    // Two chunks in flight per worker: it never idles while this thread handles its last answer.
    depth: 2,
    size: Math.max(1, Math.min(plan.workers, plan.chunks.length)),
    total: plan.chunks.length,
    setup: { type: 'bootstrap-jobs', jobs: plan.jobs },
    unitMessage: (index) => { const [job, start, end] = plan.chunks[index]; return { type: 'bootstrap-chunk', index, job, start, end }; },
    onProgress: (p) => onProgress({ ...p, stage: `bootstrap p-values: ${Math.round(p.fraction * plan.replicates)} of ${plan.replicates} replicates, on ${p.workers} worker${p.workers > 1 ? 's' : ''}` }),
  });
  const promise = run.promise.then(({ results, ...pool }) => {
    const counts = plan.jobs.map(() => ({ used: 0, at_least_as_far: 0 }));
    plan.chunks.forEach(([job], i) => {
      counts[job].used += results[i].used;
      counts[job].at_least_as_far += results[i].at_least_as_far;
    });
    return { counts, ...pool };
  });
  return {
    promise,
    cancel() {
      const err = new Error('cancelled');
      err.cancelled = true;
      run.end(err);
    },
  };
}
