// A worker of the page's pool (www/pool.js): its own wasm instance runs the units the page hands
// it, one at a time. A tour step's unit sends back its report as JSON text; the worker the page
// picks combines them (src/web/tour.rs: `run_tour_unit`, `combine_tour_units`). A bootstrap chunk
// sends back its counts (src/web/bootstrap.rs: `BootstrapJobs`). It owns no lab state: the
// lab's Play/Step training stays on its own worker (www/worker.js).
// Protocol: in  {type: 'assets', assets} once, then {type: 'unit', index, name, seed, replicates,
//               unit[, selftestCrashAt]} and {type: 'combine', name, seed, replicates, units, reports};
//               or {type: 'bootstrap-jobs', jobs} once, then {type: 'bootstrap-chunk', index, job, start, end};
//           out {type: 'unit-progress', index, stage, fraction}, {type: 'unit-report', index, report},
//               {type: 'combined', report, charts, view}, {type: 'unit-error', index, message}
//               (a typed engine error) or {type: 'crashed', index, message} (a wasm trap: the page
//               replaces this worker and reruns the unit).
const engine = import('../pkg/sgn_lab.js').then((m) => { m.init_engine(); return m; });
let assets = {};
let jobs = null;

const message = (err) => String(err && err.message ? err.message : err);
const isCrash = (err) => err instanceof WebAssembly.RuntimeError
  || (err instanceof RangeError && /memory|allocation|call stack/i.test(err.message));

self.onmessage = async ({ data: msg }) => {
  try {
    const wasm = await engine;
    switch (msg.type) {
      case 'assets':
        assets = msg.assets;
        break;
      case 'unit': {
        let last = 0;
        const report = wasm.run_tour_unit(msg.name, BigInt(msg.seed), msg.replicates, msg.unit, assets, (stage, fraction) => {
          // The crash-recovery test's hook (tests/e2e/pool.test.mjs): a real Rust panic inside
          // the running unit, once it is under way.
          if (msg.selftestCrashAt !== undefined && fraction >= msg.selftestCrashAt) wasm.selftest_panic();
          const now = performance.now();
          if (now - last > 50 || fraction >= 1) { last = now; self.postMessage({ type: 'unit-progress', index: msg.index, stage, fraction }); }
        });
        self.postMessage({ type: 'unit-report', index: msg.index, report });
        break;
      }
      case 'bootstrap-jobs':
        if (jobs) jobs.free();
        jobs = null;
        jobs = new wasm.BootstrapJobs(msg.jobs);
        break;
      case 'bootstrap-chunk':
        self.postMessage({ type: 'unit-report', index: msg.index, report: jobs.counts(msg.job, msg.start, msg.end) });
        break;
      case 'combine': {
        const r = wasm.combine_tour_units(msg.name, BigInt(msg.seed), msg.replicates, msg.units, msg.reports);
        self.postMessage({ type: 'combined', report: r.report, charts: r.charts, view: r.view });
        break;
      }
      default:
        throw new Error(`unknown message ${msg.type}`);
    }
  } catch (err) {
    self.postMessage({ type: isCrash(err) ? 'crashed' : 'unit-error', index: msg.index, message: message(err) });
  }
};
