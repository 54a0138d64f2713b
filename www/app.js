// Main thread: wires the controls to the engine worker and draws charts with the wasm plotting
// code (plotters needs the DOM to measure text, so charts are drawn here, from plain arrays).
import * as wasm from '../pkg/sgn_lab.js';
import { fitCanvas, frameThrottle } from './canvas.js';
import { setHover } from './hover.js';
import { renderStructure } from './structure.js';
import { CONTROLS, readHash, writeHash, defaultConfig, controlValues, applyControl, controlId } from './settings.js';
import { initUpload, renderUpload, uploadProgress } from './upload.js';
import { addChartExports, jsonButton } from './exports.js';
import { initTour, tourStep, poolCap } from './tour.js';
import { runBootstrapOnPool } from './pool.js';
import { warmChartWorker } from './offthread.js';
import { posterGate, reportHeight } from './embed.js';

const $ = (id) => document.getElementById(id);
wasm.init_engine();

const ui = {
  play: $('play'), step: $('step'), reset: $('reset'), seed: $('seed'), newSeed: $('new-seed'),
  status: $('status'), chart: $('loss-chart'), retry: $('retry'),
  measure: $('measure'), measureProgress: $('measure-progress'), measureStage: $('measure-stage'),
  fitNote: $('fit-note'), fitApply: $('fit-apply'),
};
let redrawStructure = null;
let redrawUpload = null;
let lastReport = null;
function uploadError(text, bad = true) {
  $('upload-cancel').hidden = true;
  $('upload-progress').hidden = true;
  const s = document.querySelector('[data-testid="upload-status"]');
  s.textContent = text;
  s.classList.toggle('bad', bad);
}
/** Measure needs a ready, finite run whose measurement fits (the engine's check), and no
 * measurement running. */
const refreshMeasure = () => {
  ui.measure.disabled = !ui.measureProgress.hidden || !run.ready || run.diverged || !run.measureFits;
};
const measuring = (on) => {
  ui.measureProgress.hidden = !on;
  refreshMeasure();
  $('measure-cancel').hidden = !on;
  if (!on) ui.measureStage.textContent = '';
};

const initial = readHash(location.hash);
const view = { embed: initial.flags.embed, hide: initial.flags.hide, flags: initial.flags };
/** An embed's layout (src/experiment/embed.rs): the parts shown, what Run this does; null outside an embed. */
const layout = initial.layout;
/** The page's presentation flags for its own link: the link's (an embed's view, kind, id …) with
 * the hidden parts and the open tour step as they are now. */
const pageFlags = () => ({ ...view.flags, embed: view.embed, hide: view.hide, tour: tourStep() });
/** An embed's run plan in progress ('train', 'train-then-measure', 'tour-step'), and the release
 * of its start lock (www/embed.js), called when the plan's heavy part is over. */
const plan = { pending: null, done: () => {}, reveal: () => {} };
const run = {
  /** The experiment (`ExperimentConfig` JSON): the URL state, the seed included. */
  config: initial.config ?? defaultConfig(),
  /** A message about the link to show once the run is ready. */
  notice: initial.error,
  noticeBad: true,
  /** Steps to replay after the engine was replaced (0: none). */
  replayTo: 0,
  /** When the engine last crashed (a crash loop gives up replaying). */
  crashes: [],
  running: false,
  ready: false,
  /** Training failed (divergence): θ is not finite, so nothing can be measured until a new run. */
  diverged: false,
  /** The engine's last word on the measurement settings (`Lab.check_measure`). */
  measureFits: false,
  /** The id of the latest check asked of the worker (older answers are ignored). */
  checkId: 0,
  /** The run being built comes from a choice in the setup menus (see `Lab.check_measure`). */
  fromMenu: false,
  /** The measurement settings before the engine lowered one after a menu choice: the next menu
   * choice tries them again (a model-appropriate value, not a lasting change). */
  fitFrom: null,
  /** The loss and accuracy history, kept by the engine's chart object and appended to. */
  chart: new wasm.TrainingChart(),
};

if (!initial.seeded) run.config.seed = randomSeed();

function randomSeed() {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

function setStatus(text, bad = false) {
  ui.status.textContent = text;
  ui.status.classList.toggle('bad', bad);
}

function setRunning(running) {
  run.running = running;
  ui.play.textContent = running ? 'Pause' : 'Play';
  ui.play.setAttribute('aria-pressed', String(running));
  ui.step.disabled = running || !run.ready;
}

const redraw = frameThrottle(() => {
  const dpr = fitCanvas(ui.chart);
  try {
    setHover(ui.chart, run.chart.draw(ui.chart, dpr));
  } catch (err) {
    setStatus(`chart error: ${err.message || err}`, true);
  }
}, { maxShare: 1 / 3 });
new ResizeObserver(redraw).observe(ui.chart);
const redrawStructureThrottled = frameThrottle(() => { if (redrawStructure) redrawStructure(); });
new ResizeObserver(redrawStructureThrottled).observe(document.querySelector('[data-testid="structure-body"]'));
const redrawUploadThrottled = frameThrottle(() => { if (redrawUpload) redrawUpload(); });
new ResizeObserver(redrawUploadThrottled).observe(document.querySelector('[data-testid="upload-body"]'));

// The engine worker. It is replaced (terminate + a new one) when the user cancels a long job — a
// measurement or an upload analysis is one synchronous wasm call that no message can
// interrupt — and when the engine crashes (a wasm trap). The new worker rebuilds the run from
// `run.config` and replays the same number of SGD steps: the same seed gives bit-identical
// weights, so the user is back where they were, settings and curve included.
let worker = null;
function spawnWorker() {
  stopBootstraps();
  if (worker) worker.terminate();
  worker = new Worker(new URL('./worker.js', import.meta.url));
  worker.onmessage = ({ data }) => onEngineMessage(data);
  worker.onerror = (e) => {
    e.preventDefault();
    restartEngine(`The engine stopped (${e.message || 'unknown error'}) and was restarted with your settings.`);
  };
}

/** Replaces the worker and restores the run at the current step. A crash that came from
 * training itself, or during a replay, starts over from step 0 instead (replaying would only
 * crash again). The third crash within 30 s leaves the new worker idle: nothing is started, the
 * settings and the chart stay, and the user decides (Try again, or change a setting) — so a
 * configuration that traps on every start cannot respawn the engine forever. */
function restartEngine(notice, { replay = true, bad = true, crash = true } = {}) {
  let fromZero = false;
  if (crash) {
    const now = performance.now();
    const recent = run.crashes.filter((t) => now - t < CRASH_WINDOW_MS);
    run.crashes = [...recent, now];
    if (recent.length + 1 >= CRASH_LIMIT) {
      halt(`${notice} That is ${CRASH_LIMIT} crashes within ${CRASH_WINDOW_MS / 1000} s, so it was left idle: `
        + 'your settings are kept. Press Try again, or change a setting.');
      return;
    }
    fromZero = !replay || run.replayTo > 0;
  }
  measuring(false);
  spawnWorker();
  const steps = run.chart.steps();
  start({ replayTo: fromZero ? 0 : steps, notice: fromZero && steps > 0 ? `${notice} The run starts over from step 0.` : notice, bad });
}
const CRASH_LIMIT = 3;
const CRASH_WINDOW_MS = 30_000;

/** A crash loop: a fresh worker that is not started; every control but Try again and the
 * settings is disabled until the user acts. */
function halt(text) {
  measuring(false);
  spawnWorker();
  run.ready = false;
  run.replayTo = 0;
  run.notice = null;
  setRunning(false);
  for (const b of [ui.play, ui.step, ui.reset, ui.measure]) b.disabled = true;
  setStatus(text, true);
  ui.retry.hidden = false;
}

function onEngineMessage(msg) {
  switch (msg.type) {
    case 'ready': {
      $('load-progress').hidden = true;
      const f = msg.facts; // worded by the engine (src/experiment/view/session.rs)
      $('data-desc').textContent = f.data;
      $('model-desc').textContent = layout ? f.network : f.model; // a reader sees no memory caps
      $('opt-desc').textContent = f.optimizer;
      $('engine-version').textContent = f.engine;
      requestCheck(run.fromMenu);
      run.fromMenu = false;
      if (run.replayTo > 0) {
        setStatus(`Restoring the run: replaying ${run.replayTo} steps with seed ${run.config.seed}…`);
        worker.postMessage({ type: 'step', steps: run.replayTo });
      } else {
        handBack(`Ready: seed ${run.config.seed}. Press Play.`);
        if (plan.pending === 'train' || plan.pending === 'train-then-measure') {
          setRunning(true);
          setStatus('Training…');
          worker.postMessage({ type: 'play' });
        }
      }
      redraw();
      break;
    }
    case 'load-progress': { // the dataset download (www/worker.js)
      const bar = $('load-progress');
      bar.hidden = msg.total > 0 && msg.done >= msg.total;
      if (msg.total) bar.value = msg.done / msg.total; else bar.removeAttribute('value');
      setStatus(`Loading ${msg.file}: ${(msg.done / 1e6).toFixed(1)}${msg.total ? ` of ${(msg.total / 1e6).toFixed(1)}` : ''} MB…`);
      break;
    }
    case 'progress': {
      if (run.replayTo > 0) {
        // The replayed steps are the ones already on the chart (same seed, same numbers).
        if (msg.step < run.replayTo) break;
        run.replayTo = 0;
        handBack(`Back at step ${msg.step}.`);
        break;
      }
      run.chart.append(msg.steps, msg.losses, msg.eval_steps, msg.eval_accuracy);
      const r = msg.readout; // worded by the engine (src/experiment/view/session.rs)
      $('r-step').textContent = r.step;
      $('r-epoch').textContent = r.epoch;
      if (r.loss !== null) $('r-loss').textContent = r.loss;
      if (r.accuracy !== null) $('r-acc').textContent = r.accuracy;
      $('r-lr').textContent = r.lr;
      if (layout && !layout.parts.includes('training') && run.running) setStatus(`Training: step ${r.step}, epoch ${r.epoch}…`);
      redraw();
      break;
    }
    case 'stopped':
      setRunning(false);
      setStatus(msg.reason === 'finished' ? `Finished at step ${run.chart.steps()}.` : 'Paused.');
      if (plan.pending === 'train' || (plan.pending === 'train-then-measure' && msg.reason !== 'finished')) planOver();
      if (msg.reason === 'finished' && plan.pending === 'train-then-measure') { plan.pending = 'measure'; autoMeasure(); }
      break;
    case 'measure-check':
      if (msg.id === run.checkId) onMeasureCheck(msg.check);
      break;
    case 'measure-progress':
      ui.measureProgress.value = msg.fraction;
      ui.measureStage.textContent = `${msg.stage}…`;
      break;
    case 'measure-bootstrap':
      countBootstraps(msg.plan);
      break;
    case 'measured':
      measuring(false);
      try {
        lastReport = msg.report; // the CLI's report schema, as `sgn-lab run` writes report.json
        $('report-json').hidden = false;
        redrawStructure = renderStructure(wasm, msg);
        setStatus(`Measured the gradients at step ${run.chart.steps()}.`);
        if (plan.pending === 'measure') planOver();
      } catch (err) {
        setStatus(`could not show the measurement: ${err.message || err}`, true);
      }
      break;
    case 'upload-progress':
      uploadProgress(msg);
      break;
    case 'analyzed':
      $('upload-cancel').hidden = true;
      try {
        redrawUpload = renderUpload(wasm, msg);
      } catch (err) {
        uploadError(`could not show the analysis: ${err.message || err}`);
      }
      break;
    case 'crashed':
      restartEngine(`The engine crashed (${msg.message}) and was restarted with your settings.`, { replay: msg.during !== 'play' && msg.during !== 'step' });
      break;
    case 'error':
      if (msg.during === 'analyze') { uploadError(msg.message); break; }
      // A failed training step (divergence) leaves non-finite weights: no measurement of them.
      if (msg.during === 'play' || msg.during === 'step') run.diverged = true;
      setRunning(false);
      measuring(false);
      setStatus(run.diverged ? `${msg.message}. ${DIVERGED_HINT}` : msg.message, true);
      planOver();
      break;
    default:
      break;
  }
}

/** A measurement's bootstrap replicates on the page's pool (the engine's plan): the counts go
 * back to the engine worker, which finishes the measurement. A cancel or a new worker stops it. */
let bootstrapRun = null;
const bootstrapHooks = { force: 0, cap: 0, last: null };
function countBootstraps(bootstrap) {
  const w = worker;
  const t0 = performance.now();
  let r = null; // progress arrives before runBootstrapOnPool returns (its first, synchronous part)
  r = runBootstrapOnPool(bootstrap, {
    onProgress: (p) => {
      if (r !== null && bootstrapRun !== r) return;
      ui.measureProgress.value = bootstrap.progress_from + (1 - bootstrap.progress_from) * p.fraction;
      ui.measureStage.textContent = `${p.stage}…`;
    },
  });
  bootstrapRun = r;
  r.promise.then(({ counts, ...pool }) => {
    if (bootstrapRun !== r || worker !== w) return;
    bootstrapRun = null;
    bootstrapHooks.last = { ...pool, ms: performance.now() - t0 };
    w.postMessage({ type: 'bootstrap-counts', counts });
  }, (err) => {
    if (bootstrapRun !== r) return;
    bootstrapRun = null;
    if (err.cancelled) return;
    measuring(false);
    setStatus(`The bootstrap replicates could not be counted (${err.message || err}); the run is kept, measure again to retry.`, true);
    if (plan.pending === 'measure') planOver();
  });
}
function stopBootstraps() {
  if (bootstrapRun) bootstrapRun.cancel();
  bootstrapRun = null;
}

/** An embed's run plan is over (or failed): its start lock goes to the next embed of the page. */
function planOver() {
  plan.pending = null;
  plan.reveal();
  plan.done();
}

/** After an embed's training: measure as soon as the engine has said the measurement fits. */
function autoMeasure() {
  if (plan.pending !== 'measure' || ui.measure.disabled) return;
  ui.measure.click();
}

const DIVERGED_HINT = 'The weights are no longer finite, so there is nothing to measure: press Reset or change a setting.';

/** The session is ready: enable the run controls; the status shows a pending notice first. */
function handBack(text) {
  run.ready = true;
  for (const b of [ui.play, ui.step, ui.reset]) b.disabled = false;
  measuring(false);
  setRunning(false);
  setStatus(run.notice ? `${run.notice} ${text}` : text, Boolean(run.notice) && run.noticeBad);
  run.notice = null;
}

/** (Re)builds the run from `run.config`. With `replayTo` > 0 (a restarted engine) the chart and
 * counters are kept and the new session replays that many steps before handing back control. */
function start({ replayTo = 0, notice = null, bad = true } = {}) {
  if (!worker) return; // an embed before Run this: its engine has not started
  // A measurement whose bootstraps are on the pool belongs to the run being replaced.
  if (bootstrapRun) { stopBootstraps(); measuring(false); }
  run.ready = false;
  // A replay stops before any failing step, so the restored weights are finite again.
  run.diverged = false;
  ui.retry.hidden = true;
  run.replayTo = replayTo;
  if (notice) { run.notice = notice; run.noticeBad = bad; }
  if (!replayTo) {
    run.chart.clear();
    for (const id of ['r-loss', 'r-acc', 'r-lr']) $(id).textContent = '—';
    $('r-step').textContent = '0';
    $('r-epoch').textContent = '0.00';
  }
  for (const id of ['data-desc', 'model-desc', 'opt-desc']) $(id).textContent = 'loading…';
  run.measureFits = false;
  run.checkId += 1; // answers about the previous session are stale
  showFit(null);
  ui.seed.value = String(run.config.seed);
  try {
    history.replaceState(null, '', writeHash(run.config, pageFlags()));
  } catch (err) {
    run.notice = `These settings cannot be shared as a link: ${err.message || err}`;
  }
  applyView();
  syncControls();
  for (const b of [ui.play, ui.step, ui.reset, ui.measure]) b.disabled = true;
  setRunning(false);
  setStatus('Loading data and building the network…');
  worker.postMessage({ type: 'start', config: run.config, assetBase: new URL('assets/', document.baseURI).href });
  redraw();
}

ui.play.addEventListener('click', () => {
  if (!run.ready) return;
  if (run.running) {
    worker.postMessage({ type: 'pause' });
  } else {
    setRunning(true);
    setStatus('Training…');
    worker.postMessage({ type: 'play' });
  }
});
ui.measure.addEventListener('click', () => {
  if (!run.ready || run.diverged) return;
  measuring(true);
  warmChartWorker(); // its wasm loads while the engine measures
  setStatus('Measuring the gradient structure at the current weights…');
  worker.postMessage({
    type: 'measure',
    analysis: run.config.analysis,
    // What Rust needs to decide whether the bootstraps go to the pool (units::bootstrap_pool_size).
    hints: { hardware_concurrency: navigator.hardwareConcurrency || 1, device_memory_gib: navigator.deviceMemory || 0, cap: bootstrapHooks.cap || poolCap(), force: bootstrapHooks.force },
  });
});
ui.step.addEventListener('click', () => worker.postMessage({ type: 'step', steps: 1 }));
$('upload-cancel').addEventListener('click', () => { restartEngine('Analysis cancelled.', { bad: false, crash: false }); uploadError('Analysis cancelled.', false); });
$('measure-cancel').addEventListener('click', () => restartEngine('Measurement cancelled.', { bad: false, crash: false }));
ui.reset.addEventListener('click', () => start());
ui.retry.addEventListener('click', () => { run.crashes = []; start(); });
ui.newSeed.addEventListener('click', () => { run.config = { ...run.config, seed: randomSeed() }; start(); });
ui.seed.addEventListener('change', () => {
  const v = Number(ui.seed.value);
  if (Number.isSafeInteger(v) && v >= 0) { run.config = { ...run.config, seed: v }; start(); } else { ui.seed.value = String(run.config.seed); }
});

const pick = (o, keys) => Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));

/** The link follows the configuration (a measurement setting needs no new session). */
function updateLink() {
  history.replaceState(null, '', writeHash(run.config, pageFlags()));
  applyView();
}

/** Asks the engine whether the measurement as now set fits (answer: 'measure-check'). */
function requestCheck(fromMenu = false) {
  run.checkId += 1;
  run.measureFits = false;
  refreshMeasure();
  worker.postMessage({ type: 'check-measure', id: run.checkId, config: run.config, fromMenu });
}

/** The engine's check of the measurement (`Lab.check_measure`, worded there): enables Measure,
 * or shows its note beside the setting that drives a refusal with a one-click fix; after a menu
 * choice the engine lowers a measurement-only setting instead (the new value is part of the
 * configuration and of the link). */
function onMeasureCheck(check) {
  if (!layout) $('model-desc').textContent = check.model; // the memory estimate: not for an embed's reader
  if (check.lowered) {
    if (!run.fitFrom) run.fitFrom = structuredClone(run.config.analysis);
    run.config = check.lowered;
    updateLink();
    syncControls();
    showFit(check.note);
    requestCheck();
    return;
  }
  run.measureFits = check.fits;
  refreshMeasure();
  autoMeasure();
  if (check.fits) {
    if (ui.fitNote.dataset.kind !== 'lowered') showFit(null);
  } else {
    showFit(check.note);
  }
}

/** The note (`FitNote`) beside the control of the setting it names (under the measurement
 * controls when that control is not shown); null hides it. */
function showFit(note) {
  const box = ui.fitNote;
  for (const el of document.querySelectorAll('[aria-describedby="fit-note"]')) { el.classList.remove('needs-fit'); el.removeAttribute('aria-describedby'); }
  if (!note) { box.hidden = true; box.dataset.kind = ''; return; }
  const spec = note.control && CONTROLS.find((c) => c.key === note.control);
  const control = spec ? $(controlId(spec)) : null;
  const visible = control && control.getClientRects().length > 0;
  if (visible && control.closest('.settings')) control.after(box);
  else ui.measure.closest('.buttons').after(box);
  const bad = note.kind !== 'lowered';
  if (visible) {
    if (bad) control.classList.add('needs-fit');
    control.setAttribute('aria-describedby', 'fit-note');
  }
  box.dataset.kind = note.kind;
  box.classList.toggle('bad', bad);
  $('fit-text').textContent = note.text;
  ui.fitApply.hidden = !note.apply;
  if (note.apply) {
    ui.fitApply.textContent = note.apply.label;
    ui.fitApply.onclick = () => {
      run.config = note.apply.config;
      run.fitFrom = null;
      showFit(null);
      if (note.apply.retrain) { start(); return; }
      updateLink();
      syncControls();
      requestCheck();
    };
  }
  box.hidden = false;
}

/** Embed mode and hidden parts (from the URL), applied to the page: every element marked with
 * a `data-part` the link hides. */
function applyView() {
  document.body.classList.toggle('embed', Boolean(layout));
  if (layout) {
    document.body.dataset.view = layout.view;
    if (layout.kind) document.body.dataset.kind = layout.kind;
  }
  // In an embed, every part its view does not list is hidden too (src/experiment/embed.rs).
  const hidden = (part) => view.hide.includes(part) || Boolean(layout && !layout.parts.includes(part));
  for (const el of document.querySelectorAll('[data-part]')) el.classList.toggle('is-hidden', hidden(el.dataset.part));
  // The Setup box goes when every group in it is hidden.
  const groups = new Set(CONTROLS.filter((c) => c.when === 'training').map((c) => c.group));
  const empty = [...groups].every((g) => view.hide.includes(g));
  $('settings').closest('details').classList.toggle('is-hidden', empty || hidden('setup'));
  // "Open in the lab": the same experiment (and tour step), without the embed's flags.
  try {
    $('open-full').href = `${location.pathname}${writeHash(run.config, { tour: tourStep() ?? view.flags.tour })}`;
  } catch {
    $('open-full').href = location.pathname;
  }
}

/** The hash of a classroom link or an embed: the ticked parts hidden. An embed (`embed=1`) is
 * minimal whatever is ticked (style.css hides the setup, seed, measurement settings, tour and
 * upload in embed mode), so only the classroom link needs the list. */
function shareHash(embed) {
  const hide = embed ? [] : [...document.querySelectorAll('.hide-parts input:checked')].map((b) => b.value);
  return writeHash(run.config, { embed, hide, tour: tourStep() });
}

/** The embed link the author's choices describe (view, sample, editable, start), with a fresh id
 * (the name its height messages carry; the snippet's script matches it and the iframe's window). */
function embedLink() {
  const v = $('embed-view').value;
  const id = `sgn-lab-${v}-${[...crypto.getRandomValues(new Uint8Array(3))].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  const flags = {
    embed: true, hide: [], view: v, kind: v === 'tails' ? ($('embed-kind').value || null) : null,
    edit: $('embed-edit').checked, start: $('embed-visible').checked ? 'visible' : 'click', id,
    tour: v === 'tour' ? (tourStep() ?? 1) : tourStep(),
  };
  return `${location.origin}${location.pathname}${writeHash(run.config, flags)}`;
}

function offerCopy(text) {
  const box = $('share-code');
  box.value = text;
  box.hidden = false;
  box.select();
  if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
}

addChartExports(ui.chart, 'sgn-lab-training', () => run.chart.csv());
jsonButton($('report-json'), () => `sgn-lab-report-seed${run.config.seed}.json`, () => lastReport);

// "Copy embed code": the author picks the view (the engine's table), the sample for the tails,
// whether the reader may change settings and when the engine starts; the code (iframe, fallback
// height and the resizing script) is written by the engine (src/experiment/embed.rs `snippet`).
for (const v of wasm.embed_views()) $('embed-view').append(new Option(v.label, v.key));
$('embed-view').value = 'train';
const syncEmbedOpts = () => { $('embed-kind-label').hidden = $('embed-view').value !== 'tails'; };
$('embed-view').addEventListener('change', syncEmbedOpts);
syncEmbedOpts();
$('copy-embed').addEventListener('click', () => {
  try {
    offerCopy(wasm.embed_snippet(embedLink(), location.origin));
  } catch (err) {
    offerCopy(`${err.message || err}`);
  }
});
// The preview: the embed at the chosen width, sized by its own height messages (as the
// snippet's script does on a blog).
// (The iframe is made on demand: an empty one would be a document of its own in the lab.)
$('embed-preview-open').addEventListener('click', () => {
  let frame = $('embed-preview-frame');
  if (!frame) {
    frame = document.createElement('iframe');
    frame.id = 'embed-preview-frame';
    frame.dataset.testid = 'embed-preview-frame';
    frame.title = 'Preview of the embed';
    $('embed-preview-box').append(frame);
  }
  const w = Number($('embed-width').value);
  frame.style.width = `${w}px`;
  frame.style.height = `${wasm.embed_views().find((v) => v.key === $('embed-view').value).fallback_height}px`;
  // A query makes its address differ from this page's: browsers refuse a frame of its own ancestor's URL.
  frame.src = embedLink().replace('#', '?preview#');
  $('embed-preview-sub').textContent = `(${w} px wide, as a reader sees it)`;
  $('embed-preview').hidden = false;
  $('embed-preview').scrollIntoView({ block: 'start' });
});
$('embed-preview-close').addEventListener('click', () => { $('embed-preview').hidden = true; $('embed-preview-frame')?.remove(); });
window.addEventListener('message', (e) => {
  const frame = $('embed-preview-frame');
  const d = e.data;
  if (!frame || e.origin !== location.origin || e.source !== frame.contentWindow || !d || d.type !== 'sgn-lab:height' || typeof d.height !== 'number') return;
  if (d.height > 0 && d.height < 100_000) frame.style.height = `${Math.ceil(d.height)}px`;
});
$('copy-link').addEventListener('click', () => offerCopy(`${location.origin}${location.pathname}${shareHash(false)}`));

window.addEventListener('hashchange', () => {
  const { config, seeded, flags, error } = readHash(location.hash);
  if (flags.tour) tour.goTo(flags.tour);
  if (flags.embed !== view.embed || flags.hide.join() !== view.hide.join()) {
    view.embed = flags.embed;
    view.hide = flags.hide;
    view.flags = flags;
    applyView();
  }
  if (error) { setStatus(error, true); return; }
  if (!config) return;
  if (!seeded) config.seed = run.config.seed;
  if (writeHash(config) !== writeHash(run.config)) {
    run.config = config;
    run.fitFrom = null; // a link's values are its own
    start();
  }
});

// The menus, built from the engine's control table (src/experiment/controls.rs). A training
// setting starts a new run; a measurement setting only changes the next measurement (and the link).
for (const c of CONTROLS) {
  const select = document.createElement('select');
  select.id = controlId(c);
  select.dataset.testid = controlId(c);
  select.dataset.part = c.group;
  for (const [value, text] of c.options) select.append(new Option(text, value));
  const lab = document.createElement('label');
  lab.htmlFor = select.id;
  lab.textContent = c.label;
  lab.dataset.part = c.group;
  select.addEventListener('change', () => {
    if (select.selectedOptions[0]?.dataset.extra) return; // the value already in the config
    run.config = applyControl(run.config, c.key, select.value);
    if (c.when === 'training') {
      // Measurement settings the engine lowered for the previous setup are tried again (and
      // lowered again after the new session's check if they still do not fit).
      if (run.fitFrom) run.config = { ...run.config, analysis: { ...run.fitFrom, ...pick(run.config.analysis, ['rule', 'bootstrap', 'level']) } };
      run.fromMenu = true;
      start();
      return;
    }
    if (c.when === 'measurement') { run.fitFrom = null; showFit(null); requestCheck(); }
    updateLink();
  });
  if (c.when === 'training') {
    $('settings').append(lab, select);
  } else if (c.when === 'tour') {
    lab.className = 'opt';
    lab.append(' ', select);
    $('tour-settings').append(lab);
  } else {
    lab.className = 'opt';
    lab.append(' ', select);
    $('measure-settings').append(lab);
  }
}

/** Shows the config in the menus. A value no option names (a link from the CLI, say) gets an
 * extra option so the menu tells the truth; a menu that does not apply is disabled. */
function syncControls() {
  const shown = controlValues(run.config);
  for (const c of CONTROLS) {
    const select = $(controlId(c));
    for (const o of [...select.options]) if (o.dataset.extra) o.remove();
    const v = shown[c.key];
    select.disabled = v.kind === 'not_applicable';
    if (v.kind === 'option') {
      select.value = v.value;
    } else if (v.kind === 'other') {
      // A value no option names (a link from the CLI, say), shown as it is.
      const o = new Option(v.value, v.value);
      o.dataset.extra = 'value';
      select.append(o);
      select.value = v.value;
    } else {
      const o = new Option('n/a', '');
      o.dataset.extra = 'fixed';
      select.append(o);
      select.value = '';
    }
  }
}

/** An embed's "Run this": the engine starts now, and the view's plan runs (train; train then
 * measure; the tour step). */
function runEmbed() {
  if ('serviceWorker' in navigator && location.protocol !== 'file:') {
    navigator.serviceWorker.register(new URL('sw.js', document.baseURI).href).catch(() => {});
  }
  spawnWorker();
  if (layout.run === 'tour-step') {
    plan.pending = 'tour-step';
    $('tour-run').click();
    return;
  }
  plan.pending = layout.run;
  start();
}

if (layout) {
  // Quiet until asked: the poster and one button; no worker, no dataset, no service worker yet.
  applyView();
  syncControls();
  ui.seed.value = String(run.config.seed);
  setStatus('Press Run this.');
  // A view without the training panel shows the run's status under the measurement's buttons.
  if (!layout.parts.includes('training') && layout.parts.includes('structure')) {
    document.querySelector('[data-part="measure-row"]').after($('load-progress'), ui.status, ui.retry);
  }
  reportHeight(view.flags.id);
} else {
  spawnWorker();
  start();
}
// A handle for the crash-recovery and soak tests (tests/e2e/reliability.test.mjs).
window.sgnLab = {
  crashEngine: () => worker.postMessage({ type: 'selftest-panic' }),
  failWorker: () => worker.postMessage({ type: 'selftest-throw' }),
  history: () => run.chart.history(),
  // tests/e2e/pool.test.mjs and bench/bootstrap-web.mjs: force the bootstrap pool's size (0:
  // Rust decides), cap it (1: the bootstraps stay on the engine's worker) and read the last
  // pool run's {workers, units, replaced, ms} (null: none ran since `reset`).
  bootstrapPool: {
    force(n) { bootstrapHooks.force = n; },
    cap(n) { bootstrapHooks.cap = n; },
    last: () => bootstrapHooks.last,
    reset() { bootstrapHooks.last = null; },
  },
  engineStats: () => new Promise((resolve) => {
    const w = worker;
    const on = ({ data }) => { if (data.type === 'stats') { w.removeEventListener('message', on); resolve(data); } };
    w.addEventListener('message', on);
    w.postMessage({ type: 'stats' });
  }),
};
function tourBusy(on) {
  $('tour-run').disabled = on;
  $('tour-progress').hidden = !on;
  $('tour-cancel').hidden = !on;
  if (on) $('tour-stage').textContent = 'starting…';
  // An embed's tour step is over when its pool run ends (report, error or cancel).
  else if (plan.pending === 'tour-step') planOver();
}
const tour = initTour(wasm, {
  seed: () => run.config.seed, replicates: () => run.config.replicates,
  setBusy: tourBusy, fromLink: initial.flags.tour, notice: setStatus,
  rememberStep: () => history.replaceState(null, '', writeHash(run.config, pageFlags())),
});
initUpload((msg) => worker.postMessage(msg), () => run.config.analysis, () => run.config.memory_cap, wasm.upload_max_bytes);
if (layout) {
  Object.assign(plan, posterGate(layout, {
    run: runEmbed,
    startVisible: view.flags.start === 'visible',
    tourText: () => [$('tour-heading').textContent, $('tour-claim').textContent].filter(Boolean).join(': '),
  }));
}

// Offline support (www/sw.js). Registration failing (e.g. file:// or a private window) only
// means no offline copy; the lab works the same.
if (!layout && 'serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker.register(new URL('sw.js', document.baseURI).href).catch(() => {});
}
