// The tour's worker pool: a tour step's units of work (its replicates, or the paper tour's
// (replicate, part) pairs) spread over up to hardwareConcurrency − 1 workers, each with its own
// wasm instance (www/pool-worker.js). Rust decides everything that matters — how many workers,
// which units, and how their reports combine (src/web/tour.rs, experiment::presets::units), so
// the report is byte-identical with 1, 2 or 8 workers; this file only dispatches: it fetches the
// step's datasets once and hands them to each worker, gives each idle worker the next unit,
// counts units done for the progress bar, replaces a worker that crashed and reruns its unit,
// and terminates every worker on cancel or when the step is over.

import { fetchBytes } from './fetch-bytes.js';

/** A unit that crashes its worker this many times ends the step with an error. */
const MAX_CRASHES = 3;

const mb = (bytes) => (bytes / 1e6).toFixed(1);

/** Datasets fetched by the page, kept for later steps (the workers get copies). */
const assetCache = new Map();

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
  const workers = [];
  let finished = false;
  let crashNext = crashOne;
  let settle;
  const promise = new Promise((resolve, reject) => { settle = { resolve, reject }; });
  const end = (err, value) => {
    if (finished) return;
    finished = true;
    for (const w of workers) w.worker.terminate();
    if (err) settle.reject(err); else settle.resolve(value);
  };

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
      if (finished) return;
    }

    const reports = new Array(total);
    const fractions = new Float64Array(total);
    const crashes = new Uint8Array(total);
    const queue = units.map((_, i) => i);
    let done = 0;
    let replaced = 0;
    let combining = false;
    const report = (stage) => onProgress({ stage, fraction: fractions.reduce((a, b) => a + b, 0) / total, done, total, workers: size, replaced });
    const start = () => {
      const slot = { worker: new Worker(new URL('./pool-worker.js', import.meta.url)), index: -1 };
      slot.worker.postMessage({ type: 'assets', assets });
      slot.worker.onmessage = ({ data }) => onMessage(slot, data);
      slot.worker.onerror = (e) => { e.preventDefault(); crashed(slot, e.message || 'worker error'); };
      return slot;
    };
    const next = (slot) => {
      if (finished) return;
      if (!queue.length) {
        slot.index = -1;
        if (done === total && !combining) {
          combining = true;
          slot.index = -2;
          report('combining the units');
          slot.worker.postMessage({ type: 'combine', name, seed, replicates, units, reports });
        }
        return;
      }
      slot.index = queue.shift();
      const msg = { type: 'unit', index: slot.index, name, seed, replicates, unit: units[slot.index] };
      if (crashNext) { crashNext = false; msg.selftestCrashAt = 0.05; }
      slot.worker.postMessage(msg);
    };
    /** A crashed worker (a wasm trap or an uncaught error): a new one takes its place and its
     * unit runs again (from its start: units are independent, so the rerun gives the same report). */
    const crashed = (slot, why) => {
      if (finished) return;
      const k = workers.indexOf(slot);
      slot.worker.terminate();
      const unit = slot.index;
      if (unit === -2) { end(new Error(`combining the units failed: ${why}`)); return; }
      if (unit >= 0) {
        crashes[unit] += 1;
        if (crashes[unit] >= MAX_CRASHES) { end(new Error(`a unit crashed its worker ${MAX_CRASHES} times: ${why}`)); return; }
        fractions[unit] = 0;
        queue.unshift(unit);
      }
      workers[k] = start();
      replaced += 1;
      report(`a worker crashed (${why}); replaced, its unit runs again`);
      next(workers[k]);
    };
    const onMessage = (slot, msg) => {
      if (finished) return;
      switch (msg.type) {
        case 'unit-progress':
          fractions[msg.index] = msg.fraction;
          report(msg.stage);
          break;
        case 'unit-report':
          reports[msg.index] = msg.report;
          fractions[msg.index] = 1;
          done += 1;
          report(`${done} of ${total} units done`);
          next(slot);
          break;
        case 'combined':
          end(null, { report: msg.report, charts: msg.charts, view: msg.view, workers: size, units: total, replaced });
          break;
        case 'crashed':
          crashed(slot, msg.message);
          break;
        case 'unit-error':
          end(new Error(msg.message));
          break;
        default:
          end(new Error(`unknown message ${msg.type}`));
      }
    };
    for (let k = 0; k < size; k++) workers.push(start());
    report(`${total} units on ${size} worker${size > 1 ? 's' : ''}`);
    for (const w of workers) next(w);
  })().catch((err) => end(err));

  return {
    promise,
    cancel() {
      const err = new Error('cancelled');
      err.cancelled = true;
      end(err);
    },
  };
}
