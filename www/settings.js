// The lab's state is one experiment configuration (`ExperimentConfig`, src/experiment/config.rs)
// plus how the page is shown. The configuration travels in the URL hash through the engine's own
// codec (`config_to_hash` / `config_from_hash`, src/web/state.rs: the `v1.…` string that
// `sgn-lab run --url` takes), so the page has no format of its own and a link run in the page
// and in the CLI gives the same numbers. The setup controls are one declarative table (in the
// spirit of TensorFlow Playground's state.ts): each reads and writes fields of the config.
//
// Hash: `#v1.<config>` then, optionally, `&embed=1&hide=setup,seed`. The older
// `#seed=7&data=digits&lr=0.3` links still open: their keys are the control keys below.
import { lab_default_config, config_to_hash, config_from_hash } from '../pkg/sgn_lab.js';

const DATA = {
  mnist: { kind: 'mnist', downsample: 1 },
  mnist14: { kind: 'mnist', downsample: 2 },
  digits: { kind: 'digits8x8' },
  cancer: { kind: 'breast_cancer' },
  wine: { kind: 'wine' },
  mixture: { kind: 'gaussian_mixture', n: 3000, d: 20, n_classes: 4, separation: 1.0, seed: 1 },
  teacher: { kind: 'teacher', n: 3000, d: 20, n_classes: 4, hidden: 32, seed: 1 },
};
const STEP = { kind: 'step_decay', milestones: [0.4, 0.8], factor: 0.1 };
const DEPTH = { fcn1: 1, fcn2: 2, fcn4: 4 };

/** Deep equality of plain JSON values. */
export function same(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => same(a[k], b[k]));
}
const keyOf = (table, v) => Object.keys(table).find((k) => same(table[k], v));
/** A numeric field as a control value, and back. */
const num = (get, set) => ({ get: (c) => String(get(c)), set: (c, v) => set(c, Number(v)) });

/**
 * The setup controls: key (also the legacy hash key), label, options [[value, text], ...], and
 * get(config) → value (`undefined`: the config holds something no option names, shown as
 * "as in the link"; `null`: not applicable) / set(config, value) mutating the config.
 */
export const SETTINGS = [
  { key: 'data', label: 'Dataset',
    options: [['mnist', 'MNIST subset, 28×28'], ['mnist14', 'MNIST subset, 14×14'], ['digits', '8×8 digits'],
      ['cancer', 'breast cancer (table)'], ['wine', 'wine (table)'], ['mixture', 'Gaussian mixture'], ['teacher', 'teacher network']],
    get: (c) => keyOf(DATA, c.data.dataset), set: (c, v) => { c.data.dataset = structuredClone(DATA[v]); } },
  { key: 'labels', label: 'Labels',
    options: [['clean', 'clean'], ['noise20', '20 % label noise'], ['noise40', '40 % label noise'], ['random', 'random labels']],
    get: (c) => (c.data.random_labels ? 'random' : { 0: 'clean', 0.2: 'noise20', 0.4: 'noise40' }[c.data.label_noise]),
    set: (c, v) => {
      c.data.random_labels = v === 'random';
      c.data.label_noise = { noise20: 0.2, noise40: 0.4 }[v] || 0;
    } },
  { key: 'model', label: 'Model',
    options: [['fcn1', 'FCN, 1 hidden layer'], ['fcn2', 'FCN, 2 hidden layers'], ['fcn4', 'FCN, 4 hidden layers'], ['lenet', 'LeNet-5 (28×28 MNIST)']],
    get: (c) => (c.model.kind === 'lenet' ? 'lenet' : Object.keys(DEPTH).find((k) => DEPTH[k] === c.model.hidden.length)),
    set: (c, v) => {
      const width = c.model.kind === 'fcn' && c.model.hidden.length ? c.model.hidden[0] : 100;
      c.model = v === 'lenet' ? { kind: 'lenet', activation: c.model.activation }
        : { kind: 'fcn', hidden: Array(DEPTH[v]).fill(width), activation: c.model.activation };
    } },
  { key: 'width', label: 'Width', options: [['10', '10'], ['32', '32'], ['64', '64'], ['100', '100'], ['256', '256']],
    get: (c) => (c.model.kind !== 'fcn' ? null
      : c.model.hidden.every((w) => w === c.model.hidden[0]) ? String(c.model.hidden[0]) : undefined),
    set: (c, v) => { if (c.model.kind === 'fcn') c.model.hidden = c.model.hidden.map(() => Number(v)); } },
  { key: 'act', label: 'Activation', options: [['relu', 'ReLU'], ['tanh', 'tanh']],
    get: (c) => c.model.activation, set: (c, v) => { c.model.activation = v; } },
  { key: 'lr', label: 'Learning rate',
    options: [['0.003', '0.003'], ['0.01', '0.01'], ['0.03', '0.03'], ['0.1', '0.1'], ['0.3', '0.3'], ['1', '1'], ['10', '10 (diverges)']],
    ...num((c) => c.training.lr, (c, v) => { c.training.lr = v; }) },
  { key: 'bs', label: 'Batch size', options: [['16', '16'], ['32', '32'], ['64', '64'], ['128', '128'], ['256', '256'], ['512', '512']],
    ...num((c) => c.training.batch_size, (c, v) => { c.training.batch_size = v; }) },
  { key: 'epochs', label: 'Epochs', options: [['1', '1'], ['2', '2'], ['5', '5'], ['10', '10'], ['16', '16'], ['20', '20']],
    ...num((c) => c.training.epochs, (c, v) => { c.training.epochs = v; }) },
  { key: 'mom', label: 'Momentum', options: [['0', '0'], ['0.5', '0.5'], ['0.9', '0.9']],
    ...num((c) => c.training.momentum, (c, v) => { c.training.momentum = v; }) },
  { key: 'wd', label: 'Weight decay', options: [['0', '0'], ['0.0005', '5e-4']],
    ...num((c) => c.training.weight_decay, (c, v) => { c.training.weight_decay = v; }) },
  { key: 'sched', label: 'Schedule', options: [['step', '÷10 at 40 % and 80 %'], ['const', 'constant']],
    get: (c) => (c.training.schedule.kind === 'constant' ? 'const' : same(c.training.schedule, STEP) ? 'step' : undefined),
    set: (c, v) => { c.training.schedule = v === 'const' ? { kind: 'constant' } : structuredClone(STEP); } },
  { key: 'tracked', label: 'Tracked parameters', options: [['10', '10'], ['20', '20'], ['50', '50'], ['100', '100'], ['200', '200']],
    ...num((c) => c.logging.n_tracked, (c, v) => { c.logging.n_tracked = v; }) },
];

/** Parts of the page a classroom or embed link can hide (`hide=data,seed,upload`): the setting
 * groups (`data`, `model`, `optimizer`, `measurement` — the controls of that group), the seed,
 * the upload and the tour each separately; `setup`, `training`, `structure` from older links. */
export const HIDEABLE = ['data', 'model', 'optimizer', 'seed', 'measurement', 'upload', 'tour', 'setup', 'training', 'structure'];

/** The group of each setting (the `data-part` its control gets). */
export const SETTING_GROUP = {
  data: 'data', labels: 'data', model: 'model', width: 'model', act: 'model',
  lr: 'optimizer', bs: 'optimizer', epochs: 'optimizer', mom: 'optimizer', wd: 'optimizer', sched: 'optimizer',
  tracked: 'measurement',
};

/** The page's starting configuration (`ExperimentConfig::lab_default`). */
export function defaultConfig() {
  return JSON.parse(lab_default_config());
}

/**
 * Reads a hash: `{config, seeded, embed, hide, error}`. `config` is null when the hash holds no
 * configuration (the page keeps or picks its own); `seeded` says whether the link fixed the
 * seed; `error` is a readable reason when the hash could not be read (the config is then null).
 */
export function readHash(hash) {
  const body = hash.replace(/^#/, '');
  const amp = body.indexOf('&');
  const state = body.startsWith('v') ? (amp < 0 ? body : body.slice(0, amp)) : '';
  const params = new URLSearchParams(state ? (amp < 0 ? '' : body.slice(amp + 1)) : body);
  const embed = params.get('embed') === '1';
  const hide = (params.get('hide') || '').split(',').filter((h) => HIDEABLE.includes(h));
  if (state) {
    try {
      return { config: JSON.parse(config_from_hash(state)), seeded: true, embed, hide, error: null };
    } catch (err) {
      return { config: null, seeded: false, embed, hide, error: `The link's settings could not be read (${err.message || err}); showing the defaults.` };
    }
  }
  // A legacy link (`seed=7&data=digits`) or none: control values on the page's defaults.
  const config = defaultConfig();
  let legacy = false;
  for (const s of SETTINGS) {
    const v = params.get(s.key);
    if (v !== null && s.options.some(([o]) => o === v)) { s.set(config, v); legacy = true; }
  }
  const seed = params.get('seed');
  const seeded = seed !== null && /^\d{1,15}$/.test(seed);
  if (seeded) config.seed = Number(seed);
  return { config: legacy || seeded ? config : null, seeded, embed, hide, error: null };
}

/** The hash for a configuration and presentation flags (embed mode, hidden parts). */
export function writeHash(config, { embed = false, hide = [] } = {}) {
  let hash = `#${config_to_hash(JSON.stringify(config))}`;
  if (embed) hash += '&embed=1';
  if (hide.length) hash += `&hide=${hide.join(',')}`;
  return hash;
}
