// Main thread: wires the controls to the engine worker and draws charts with the wasm plotting
// code (plotters needs the DOM to measure text, so charts are drawn here, from plain arrays).
import * as wasm from '../pkg/sgn_lab.js';
import { fitCanvas, frameThrottle } from './canvas.js';
import { setHover } from './hover.js';
import { renderStructure } from './structure.js';
import { SETTINGS, HIDEABLE, readHash, writeHash, toRequest } from './settings.js';
import { initUpload, renderUpload } from './upload.js';
import { addChartExports, jsonButton } from './exports.js';
import { initTour } from './tour.js';

const $ = (id) => document.getElementById(id);
wasm.init_engine();

const ui = {
  play: $('play'), step: $('step'), reset: $('reset'), seed: $('seed'), newSeed: $('new-seed'),
  status: $('status'), chart: $('loss-chart'),
  measure: $('measure'), measureProgress: $('measure-progress'), measureStage: $('measure-stage'),
};
let redrawStructure = null;
let redrawUpload = null;
let lastReport = null;
function uploadError(text) {
  const s = document.querySelector('[data-testid="upload-status"]');
  s.textContent = text;
  s.classList.add('bad');
}
const measuring = (on) => {
  ui.measure.disabled = on || !run.ready;
  ui.measureProgress.hidden = !on;
  if (!on) ui.measureStage.textContent = '';
};

const initial = readHash(location.hash);
const view = { embed: initial.embed, hide: initial.hide };
const run = {
  seed: initial.seed ?? randomSeed(),
  settings: initial.settings,
  running: false,
  ready: false,
  history: { step: [], loss: [], evalStep: [], evalAcc: [] },
};

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

const worker = new Worker(new URL('./worker.js', import.meta.url));

worker.onmessage = ({ data: msg }) => {
  switch (msg.type) {
    case 'ready': {
      const i = msg.info;
      run.ready = true;
      $('data-desc').textContent = `${i.dataset}: ${i.n_train} train / ${i.n_test} test, ${i.n_features} features`;
      $('model-desc').textContent = `${i.model} (${i.n_params.toLocaleString('en')} parameters)`;
      $('opt-desc').textContent = i.optimizer;
      $('engine-version').textContent = `engine ${i.engine_version}`;
      for (const b of [ui.play, ui.step, ui.reset, ui.measure]) b.disabled = false;
      setRunning(false);
      setStatus(`Ready: seed ${run.seed}. Press Play.`);
      redraw();
      break;
    }
    case 'progress': {
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
    case 'measure-progress':
      ui.measureProgress.value = msg.fraction;
      ui.measureStage.textContent = `${msg.stage}…`;
      break;
    case 'measured':
      measuring(false);
      try {
        lastReport = msg.report;
        $('report-json').hidden = false;
        redrawStructure = renderStructure(wasm, msg);
        setStatus(`Measured the gradients at step ${run.history.step.length}.`);
      } catch (err) {
        setStatus(`could not show the measurement: ${err.message || err}`, true);
      }
      break;
    case 'analyzed':
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
    case 'error':
      if (msg.during === 'analyze') { uploadError(msg.message); break; }
      if (msg.during === 'tour-run') { tourBusy(false); document.getElementById('tour-stage').textContent = msg.message; break; }
      setRunning(false);
      measuring(false);
      setStatus(msg.message, true);
      break;
    default:
      break;
  }
};
worker.onerror = (e) => {
  setRunning(false);
  setStatus(`The engine stopped: ${e.message || 'unknown error'}`, true);
};

function start() {
  run.ready = false;
  run.history = { step: [], loss: [], evalStep: [], evalAcc: [] };
  for (const id of ['r-loss', 'r-acc', 'r-lr']) $(id).textContent = '—';
  for (const id of ['data-desc', 'model-desc', 'opt-desc']) $(id).textContent = 'loading…';
  $('r-step').textContent = '0';
  $('r-epoch').textContent = '0.00';
  ui.seed.value = String(run.seed);
  history.replaceState(null, '', writeHash(run.settings, run.seed, view));
  applyView();
  for (const [k] of SETTINGS) $(`set-${k}`).value = run.settings[k];
  for (const b of [ui.play, ui.step, ui.reset, ui.measure]) b.disabled = true;
  setRunning(false);
  setStatus('Loading data and building the network…');
  const request = toRequest(run.settings, run.seed);
  worker.postMessage({ type: 'start', config: request, assetBase: new URL('assets/', document.baseURI).href });
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
  if (!run.ready) return;
  measuring(true);
  setStatus('Measuring the gradient structure at the current weights…');
  worker.postMessage({ type: 'measure', options: { rule: $('tail-rule').value, level: Number($('tail-level').value) } });
});
ui.step.addEventListener('click', () => worker.postMessage({ type: 'step', steps: 1 }));
ui.reset.addEventListener('click', start);
ui.newSeed.addEventListener('click', () => { run.seed = randomSeed(); start(); });
ui.seed.addEventListener('change', () => {
  const v = Number(ui.seed.value);
  if (Number.isSafeInteger(v) && v >= 0) { run.seed = v; start(); } else { ui.seed.value = String(run.seed); }
});
/** Embed mode and hidden parts (from the URL), applied to the page. */
function applyView() {
  document.body.classList.toggle('embed', view.embed);
  for (const part of HIDEABLE) {
    for (const el of document.querySelectorAll(`[data-part="${part}"]`)) el.classList.toggle('is-hidden', view.hide.includes(part));
  }
  $('open-full').href = `${location.pathname}${writeHash(run.settings, run.seed)}`;
}

function shareHash(embed) {
  const hide = [];
  if ($('hide-setup').checked) hide.push('setup', 'seed');
  if ($('hide-upload').checked) hide.push('upload');
  return writeHash(run.settings, run.seed, { embed, hide });
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
jsonButton($('report-json'), 'sgn-lab-measurement.json', () => lastReport);

$('copy-embed').addEventListener('click', () => {
  const src = `${location.origin}${location.pathname}${shareHash(true)}`;
  offerCopy(`<iframe src="${src}" title="sgn-lab: the structure of stochastic gradients" width="100%" height="760" style="border:0" loading="lazy"></iframe>`);
});
$('copy-link').addEventListener('click', () => offerCopy(`${location.origin}${location.pathname}${shareHash(false)}`));

window.addEventListener('hashchange', () => {
  const { settings, seed, embed, hide } = readHash(location.hash);
  if (embed !== view.embed || hide.join() !== view.hide.join()) {
    view.embed = embed;
    view.hide = hide;
    applyView();
  }
  const changed = SETTINGS.some(([k]) => settings[k] !== run.settings[k]);
  if ((seed !== null && seed !== run.seed) || changed) {
    run.settings = settings;
    if (seed !== null) run.seed = seed;
    start();
  }
});

// The setup controls, built from the settings table; any change rebuilds the run.
const settingsBox = $('settings');
for (const [key, label, options] of SETTINGS) {
  const select = document.createElement('select');
  select.id = `set-${key}`;
  select.dataset.testid = `set-${key}`;
  for (const [value, text] of options) select.append(new Option(text, value));
  const lab = document.createElement('label');
  lab.htmlFor = select.id;
  lab.textContent = label;
  select.addEventListener('change', () => { run.settings = { ...run.settings, [key]: select.value }; start(); });
  settingsBox.append(lab, select);
}

start();
function tourBusy(on) {
  $('tour-run').disabled = on;
  $('tour-progress').hidden = !on;
  if (on) $('tour-stage').textContent = 'starting…';
}
const tour = initTour(wasm, { post: (msg) => worker.postMessage(msg), seed: () => run.seed, setBusy: tourBusy });
initUpload((msg, transfer) => worker.postMessage(msg, transfer),
  () => ({ rule: $('tail-rule').value, level: Number($('tail-level').value) }));

// Offline support (www/sw.js). Registration failing (e.g. file:// or a private window) only
// means no offline copy; the lab works the same.
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker.register(new URL('sw.js', document.baseURI).href).catch(() => {});
}
