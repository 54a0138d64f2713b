// Main thread: wires the controls to the engine worker and draws charts with the wasm plotting
// code (plotters needs the DOM to measure text, so charts are drawn here, from plain arrays).
import * as wasm from '../pkg/sgn_lab.js';
import { fitCanvas, frameThrottle } from './canvas.js';
import { setHover } from './hover.js';
import { renderStructure } from './structure.js';
import { SETTINGS, SETTING_GROUP, HIDEABLE, readHash, writeHash, defaultConfig } from './settings.js';
import { initUpload, renderUpload } from './upload.js';
import { addChartExports, jsonButton } from './exports.js';
import { initTour, tourParam } from './tour.js';

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
/** Measure needs a ready, finite run whose measurement settings fit, and no measurement running. */
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
const view = { embed: initial.embed, hide: initial.hide };
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
  /** The engine's last word on the measurement settings (`Lab.check_measure`): Measure is enabled
   * only when they fit under the memory cap. */
  measureFits: false,
  /** The id of the latest check asked of the worker (older answers are ignored). */
  checkId: 0,
  /** The run being built comes from a choice in the setup menus: if its measurement does not fit,
   * the page lowers the setting that drives it to its largest round value that fits. */
  fromMenu: false,
  /** `{field, value}`: the user's value of a setting the page lowered after a menu choice; the
   * next menu choice tries it again (a model-appropriate default, not a lasting change). */
  fitFrom: null,
  /** The measurement analysis settings the session was started with (JSON). */
  startedAnalysis: '',
  /** The session's description (`Lab.info`). */
  info: null,
  history: { step: [], loss: [], evalStep: [], evalAcc: [] },
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
  const h = run.history;
  try {
    setHover(ui.chart, wasm.draw_training_chart(ui.chart, dpr, Float64Array.from(h.step), Float64Array.from(h.loss),
      Float64Array.from(h.evalStep), Float64Array.from(h.evalAcc)));
  } catch (err) {
    setStatus(`chart error: ${err.message || err}`, true);
  }
});
new ResizeObserver(redraw).observe(ui.chart);
const redrawStructureThrottled = frameThrottle(() => { if (redrawStructure) redrawStructure(); });
new ResizeObserver(redrawStructureThrottled).observe(document.querySelector('[data-testid="structure-body"]'));
const redrawUploadThrottled = frameThrottle(() => { if (redrawUpload) redrawUpload(); });
new ResizeObserver(redrawUploadThrottled).observe(document.querySelector('[data-testid="upload-body"]'));

// The engine worker. It is replaced (terminate + a new one) when the user cancels a long job — a
// measurement, a tour step or an upload analysis is one synchronous wasm call that no message can
// interrupt — and when the engine crashes (a wasm trap). The new worker rebuilds the run from
// `run.config` and replays the same number of SGD steps: the same seed gives bit-identical
// weights, so the user is back where they were, settings and curve included.
let worker = null;
function spawnWorker() {
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
  tourBusy(false);
  spawnWorker();
  const steps = run.history.step.length;
  start({ replayTo: fromZero ? 0 : steps, notice: fromZero && steps > 0 ? `${notice} The run starts over from step 0.` : notice, bad });
}
const CRASH_LIMIT = 3;
const CRASH_WINDOW_MS = 30_000;

/** A crash loop: a fresh worker that is not started; every control but Try again and the
 * settings is disabled until the user acts. */
function halt(text) {
  measuring(false);
  tourBusy(false);
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
      const i = msg.info;
      $('data-desc').textContent = `${i.dataset}: ${i.n_train} train / ${i.n_test} test, ${i.n_features} features`;
      run.info = i;
      describeModel(i.measure);
      $('opt-desc').textContent = i.optimizer;
      $('engine-version').textContent = `engine ${i.engine_version}`;
      const fromMenu = run.fromMenu;
      run.fromMenu = false;
      // The session's own check holds for the settings it was started with; they may have changed
      // while it was loading.
      if (JSON.stringify(run.config.analysis) === run.startedAnalysis) onMeasureCheck(i.measure, { fromMenu });
      else requestCheck();
      if (run.replayTo > 0) {
        setStatus(`Restoring the run: replaying ${run.replayTo} steps with seed ${run.config.seed}…`);
        worker.postMessage({ type: 'step', steps: run.replayTo });
      } else {
        handBack(`Ready: seed ${run.config.seed}. Press Play.`);
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
      const h = run.history;
      for (let k = 0; k < msg.steps.length; k++) { h.step.push(msg.steps[k]); h.loss.push(msg.losses[k]); }
      if (msg.eval) { h.evalStep.push(msg.eval.step); h.evalAcc.push(msg.eval.accuracy); }
      $('r-step').textContent = String(msg.step);
      $('r-epoch').textContent = msg.epoch.toFixed(2);
      if (msg.losses.length) $('r-loss').textContent = msg.loss_ema.toFixed(4);
      if (msg.eval) $('r-acc').textContent = `${(100 * msg.eval.accuracy).toFixed(1)} %`;
      $('r-lr').textContent = msg.lr.toPrecision(2);
      redraw();
      break;
    }
    case 'stopped':
      setRunning(false);
      setStatus(msg.reason === 'finished' ? `Finished at step ${run.history.step.length}.` : 'Paused.');
      break;
    case 'measure-check':
      if (msg.id === run.checkId) onMeasureCheck(msg.check);
      break;
    case 'measure-progress':
      ui.measureProgress.value = msg.fraction;
      ui.measureStage.textContent = `${msg.stage}…`;
      break;
    case 'measured':
      measuring(false);
      try {
        lastReport = msg.full_report; // the CLI's report schema (src/web/lab.rs full_report)
        $('report-json').hidden = false;
        redrawStructure = renderStructure(wasm, msg);
        setStatus(`Measured the gradients at step ${run.history.step.length}.`);
      } catch (err) {
        setStatus(`could not show the measurement: ${err.message || err}`, true);
      }
      break;
    case 'analyzed':
      $('upload-cancel').hidden = true;
      try {
        redrawUpload = renderUpload(wasm, msg);
      } catch (err) {
        uploadError(`could not show the analysis: ${err.message || err}`);
      }
      break;
    case 'tour-progress':
      tour.progress(msg);
      break;
    case 'tour-report':
      try {
        tour.report(msg);
      } catch (err) {
        tourBusy(false);
        setStatus(`could not show the tour step: ${err.message || err}`, true);
      }
      break;
    case 'crashed':
      restartEngine(`The engine crashed (${msg.message}) and was restarted with your settings.`, { replay: msg.during !== 'play' && msg.during !== 'step' });
      break;
    case 'error':
      if (msg.during === 'analyze') { uploadError(msg.message); break; }
      if (msg.during === 'tour-run') { tourBusy(false); document.getElementById('tour-stage').textContent = msg.message; break; }
      // A failed training step (divergence) leaves non-finite weights: no measurement of them.
      if (msg.during === 'play' || msg.during === 'step') run.diverged = true;
      setRunning(false);
      measuring(false);
      setStatus(run.diverged ? `${msg.message}. ${DIVERGED_HINT}` : msg.message, true);
      break;
    default:
      break;
  }
}

const DIVERGED_HINT = 'The weights are no longer finite, so there is nothing to measure: press Reset or change a setting.';

/** The model line: parameters, the memory of training and of the measurement as now set. */
function describeModel(check) {
  const i = run.info;
  if (!i) return;
  $('model-desc').textContent = `${i.model} (${i.n_params.toLocaleString('en')} parameters; about ${i.training_mib.toFixed(1)} MiB to train`
    + `${check.memory_mib == null ? '' : `, ${check.memory_mib.toFixed(1)} MiB with the measurement`}; cap ${Math.round(check.cap_mib)} MiB)`;
}

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
  run.ready = false;
  // A replay stops before any failing step, so the restored weights are finite again.
  run.diverged = false;
  ui.retry.hidden = true;
  run.replayTo = replayTo;
  if (notice) { run.notice = notice; run.noticeBad = bad; }
  if (!replayTo) {
    run.history = { step: [], loss: [], evalStep: [], evalAcc: [] };
    for (const id of ['r-loss', 'r-acc', 'r-lr']) $(id).textContent = '—';
    $('r-step').textContent = '0';
    $('r-epoch').textContent = '0.00';
  }
  for (const id of ['data-desc', 'model-desc', 'opt-desc']) $(id).textContent = 'loading…';
  run.info = null;
  run.measureFits = false;
  run.checkId += 1; // answers of the previous session are stale
  run.startedAnalysis = JSON.stringify(run.config.analysis);
  showFit(null);
  ui.seed.value = String(run.config.seed);
  try {
    history.replaceState(null, '', writeHash(run.config, view) + tourParam());
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
  setStatus('Measuring the gradient structure at the current weights…');
  worker.postMessage({ type: 'measure', options: measureOptions() });
});
ui.step.addEventListener('click', () => worker.postMessage({ type: 'step', steps: 1 }));
$('upload-cancel').addEventListener('click', () => { restartEngine('Analysis cancelled.', { bad: false, crash: false }); uploadError('Analysis cancelled.', false); });
$('measure-cancel').addEventListener('click', () => restartEngine('Measurement cancelled.', { bad: false, crash: false }));
$('tour-cancel').addEventListener('click', () => { restartEngine('Tour step cancelled.', { bad: false, crash: false }); $('tour-stage').textContent = 'cancelled'; });
ui.reset.addEventListener('click', () => start());
ui.retry.addEventListener('click', () => { run.crashes = []; start(); });
ui.newSeed.addEventListener('click', () => { run.config = { ...run.config, seed: randomSeed() }; start(); });
ui.seed.addEventListener('change', () => {
  const v = Number(ui.seed.value);
  if (Number.isSafeInteger(v) && v >= 0) { run.config = { ...run.config, seed: v }; start(); } else { ui.seed.value = String(run.config.seed); }
});

/** The tail rule and level: part of the shared state, but changing them needs no retraining. */
function measureOptions() {
  return { rule: $('tail-rule').value, level: Number($('tail-level').value), draws: Number($('tail-draws').value), n_cov: Number($('spectrum-n').value) };
}
/** The link follows the configuration (a measurement setting needs no new session). */
function updateLink() {
  history.replaceState(null, '', writeHash(run.config, view) + tourParam());
  applyView();
}
for (const id of ['tail-rule', 'tail-level', 'tail-draws', 'spectrum-n']) {
  $(id).addEventListener('change', () => {
    run.config = { ...run.config, analysis: { ...run.config.analysis, ...measureOptions() } };
    // The user's own choice of the setting the page lowered: it is theirs now.
    if (run.fitFrom && FIT_FIELDS[run.fitFrom.field].control === id) run.fitFrom = null;
    updateLink();
    showFit(null);
    requestCheck();
  });
}

/** The settings a memory fit can name (`experiment::memory::FitSetting`): the control that shows
 * each, and whether changing it needs a new session (a training setting, or one the measurement
 * request does not carry). */
const FIT_FIELDS = {
  'analysis.n_cov': { control: 'spectrum-n', path: ['analysis', 'n_cov'], retrain: false },
  'analysis.draws': { control: 'tail-draws', path: ['analysis', 'draws'], retrain: false },
  'logging.n_tracked': { control: 'set-tracked', path: ['logging', 'n_tracked'], retrain: true },
  'analysis.davis_kahan_top': { control: null, path: ['analysis', 'davis_kahan_top'], retrain: true },
};
const fieldOf = (config, field) => FIT_FIELDS[field].path.reduce((o, k) => o[k], config);
function withField(config, field, value) {
  const c = structuredClone(config);
  const [group, key] = FIT_FIELDS[field].path;
  c[group][key] = value;
  return c;
}
const mib = (x) => `${x.toFixed(1)} MiB`;
const capitalised = (t) => t.charAt(0).toUpperCase() + t.slice(1);

/** Asks the engine whether the current measurement settings fit (answer: 'measure-check'). */
function requestCheck() {
  run.checkId += 1;
  run.measureFits = false;
  refreshMeasure();
  // A session still loading ignores it; its 'ready' then asks again (the settings changed).
  worker.postMessage({ type: 'check-measure', id: run.checkId, options: measureOptions() });
}

/** The engine's check of the measurement settings (`Lab.check_measure`): enables Measure, or
 * shows beside the setting that drives a refusal the largest value that fits with a one-click
 * "use …". After a menu choice (`fromMenu`) a setting the measurement alone needs is lowered to
 * its largest round value that fits instead, and the note says so; the new value is part of the
 * configuration and of the link. */
function onMeasureCheck(check, { fromMenu = false } = {}) {
  const fit = check.fit;
  if (!check.fits && fromMenu && fit && !FIT_FIELDS[fit.field].retrain) {
    const before = fieldOf(run.config, fit.field);
    if (!run.fitFrom) run.fitFrom = { field: fit.field, value: before };
    run.config = withField(run.config, fit.field, fit.round);
    updateLink();
    syncControls();
    showFit(fit.field, `${capitalised(fit.name)} set to ${fit.round} for this setup: ${fit.value} would need about ${mib(check.memory_mib)} `
      + `with training, above the cap of ${mib(check.cap_mib)} (the largest value that fits is ${fit.largest}).`, { bad: false });
    requestCheck();
    return;
  }
  if (check.fits && fromMenu) run.fitFrom = null;
  run.measureFits = check.fits;
  describeModel(check);
  refreshMeasure();
  if (check.fits) {
    if (ui.fitNote.dataset.kind !== 'lowered') showFit(null);
  } else if (fit) {
    showFit(fit.field, `${capitalised(fit.name)} = ${fit.value} would need about ${mib(check.memory_mib)} with training, above the cap of `
      + `${mib(check.cap_mib)}; the largest value that fits is ${fit.largest}.`, { apply: fit });
  } else {
    showFit(null, check.message);
  }
}

/** The note beside the setting `field` (null: under the measurement controls); no text hides it.
 * `apply`: a fit whose largest value a button applies; `bad`: a refusal (else a notice of a value
 * the page chose). */
function showFit(field, text = null, { apply = null, bad = true } = {}) {
  const note = ui.fitNote;
  for (const el of document.querySelectorAll('[aria-describedby="fit-note"]')) { el.classList.remove('needs-fit'); el.removeAttribute('aria-describedby'); }
  if (!text) {
    note.hidden = true;
    note.dataset.kind = '';
    return;
  }
  const control = field && FIT_FIELDS[field].control ? $(FIT_FIELDS[field].control) : null;
  const visible = control && control.getClientRects().length > 0;
  if (visible && control.closest('.settings')) control.after(note);
  else ui.measure.closest('.buttons').after(note);
  if (visible) {
    if (bad) control.classList.add('needs-fit');
    control.setAttribute('aria-describedby', 'fit-note');
  }
  note.dataset.kind = apply ? 'refused' : bad ? 'error' : 'lowered';
  note.classList.toggle('bad', bad);
  $('fit-text').textContent = text;
  ui.fitApply.hidden = !apply;
  if (apply) {
    ui.fitApply.textContent = `use ${apply.name} = ${apply.largest}`;
    ui.fitApply.onclick = () => {
      run.config = withField(run.config, apply.field, apply.largest);
      run.fitFrom = null;
      showFit(null);
      if (FIT_FIELDS[apply.field].retrain) { start(); return; }
      updateLink();
      syncControls();
      requestCheck();
    };
  }
  note.hidden = false;
}
/** Embed mode and hidden parts (from the URL), applied to the page. */
function applyView() {
  document.body.classList.toggle('embed', view.embed);
  for (const part of HIDEABLE) {
    for (const el of document.querySelectorAll(`[data-part="${part}"]`)) el.classList.toggle('is-hidden', view.hide.includes(part));
  }
  // The Setup box goes when every group in it is hidden.
  const groups = new Set(Object.values(SETTING_GROUP));
  const empty = [...groups].every((g) => view.hide.includes(g));
  $('settings').closest('details').classList.toggle('is-hidden', empty || view.hide.includes('setup'));
  $('open-full').href = `${location.pathname}${location.hash.replace(/&.*$/, '')}`;
}

/** The hash of a classroom link or an embed: the ticked parts hidden. An embed (`embed=1`) is
 * minimal whatever is ticked (style.css hides the setup, seed, measurement settings, tour and
 * upload in embed mode), so only the classroom link needs the list. */
function shareHash(embed) {
  const hide = embed ? [] : [...document.querySelectorAll('.hide-parts input:checked')].map((b) => b.value);
  return writeHash(run.config, { embed, hide }) + tourParam();
}

function offerCopy(text) {
  const box = $('share-code');
  box.value = text;
  box.hidden = false;
  box.select();
  if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
}

addChartExports(ui.chart, 'sgn-lab-training', () => ({
  step: run.history.step, minibatch_loss: run.history.loss, eval_step: run.history.evalStep, test_accuracy: run.history.evalAcc,
}));
jsonButton($('report-json'), () => `sgn-lab-report-seed${run.config.seed}.json`, () => lastReport);

/** The embed's height in CSS pixels: the run panel and the training chart side by side, with
 * room for a measurement's verdicts below (the iframe scrolls past that). */
const EMBED_HEIGHT = 560;
$('copy-embed').addEventListener('click', () => {
  const src = `${location.origin}${location.pathname}${shareHash(true)}`;
  offerCopy(`<iframe src="${src}" title="sgn-lab: the structure of stochastic gradients" width="100%" height="${EMBED_HEIGHT}" style="border:0" loading="lazy"></iframe>`);
});
$('copy-link').addEventListener('click', () => offerCopy(`${location.origin}${location.pathname}${shareHash(false)}`));

window.addEventListener('hashchange', () => {
  const { config, seeded, embed, hide, error } = readHash(location.hash);
  if (embed !== view.embed || hide.join() !== view.hide.join()) {
    view.embed = embed;
    view.hide = hide;
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

// The setup controls, built from the settings table; any change rebuilds the run.
const settingsBox = $('settings');
for (const s of SETTINGS) {
  const select = document.createElement('select');
  select.id = `set-${s.key}`;
  select.dataset.testid = `set-${s.key}`;
  for (const [value, text] of s.options) select.append(new Option(text, value));
  const lab = document.createElement('label');
  lab.htmlFor = select.id;
  lab.textContent = s.label;
  lab.dataset.part = SETTING_GROUP[s.key];
  select.dataset.part = SETTING_GROUP[s.key];
  select.addEventListener('change', () => {
    if (select.selectedOptions[0]?.dataset.extra === 'fixed') return;
    let config = structuredClone(run.config);
    s.set(config, select.value);
    // A value the page lowered for the previous setup is tried again (and lowered again after
    // the new session's check if it still does not fit).
    if (run.fitFrom) config = withField(config, run.fitFrom.field, run.fitFrom.value);
    run.config = config;
    run.fromMenu = true;
    start();
  });
  settingsBox.append(lab, select);
}

/** Shows the config in the controls. A value no option names (a link from the CLI, say) gets
 * an extra option so the control tells the truth; a control that does not apply is disabled. */
function syncControls() {
  for (const s of SETTINGS) {
    const select = $(`set-${s.key}`);
    for (const o of [...select.options]) if (o.dataset.extra) o.remove();
    const v = s.get(run.config);
    select.disabled = v === null;
    if (v === null || v === undefined) {
      const o = new Option(v === null ? 'n/a' : 'as in the link', '');
      o.dataset.extra = 'fixed';
      select.append(o);
      select.value = '';
    } else {
      if (![...select.options].some((o) => o.value === v)) {
        const o = new Option(v, v);
        o.dataset.extra = 'value';
        select.append(o);
      }
      select.value = v;
    }
  }
  $('tail-rule').value = run.config.analysis.rule;
  $('tail-level').value = String(run.config.analysis.level);
  for (const [id, v] of [['tail-draws', run.config.analysis.draws], ['spectrum-n', run.config.analysis.n_cov]]) {
    const select = $(id);
    for (const o of [...select.options]) if (o.dataset.extra && o.value !== String(v)) o.remove();
    if (![...select.options].some((o) => o.value === String(v))) {
      // In numeric order among the menu's values (e.g. N_cov = 700 from a fit, or from a link).
      const o = new Option(String(v), String(v));
      o.dataset.extra = 'value';
      select.add(o, [...select.options].find((x) => Number(x.value) > v) || null);
    }
    select.value = String(v);
  }
}

spawnWorker();
start();
// A handle for the crash-recovery and soak tests (tests/e2e/reliability.test.mjs).
window.sgnLab = {
  crashEngine: () => worker.postMessage({ type: 'selftest-panic' }),
  failWorker: () => worker.postMessage({ type: 'selftest-throw' }),
  history: () => structuredClone(run.history),
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
}
const tour = initTour(wasm, { post: (msg) => worker.postMessage(msg), seed: () => run.config.seed, setBusy: tourBusy });
initUpload((msg, transfer) => worker.postMessage(msg, transfer), measureOptions);

// Offline support (www/sw.js). Registration failing (e.g. file:// or a private window) only
// means no offline copy; the lab works the same.
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker.register(new URL('sw.js', document.baseURI).href).catch(() => {});
}
