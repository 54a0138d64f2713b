// The lab's settings: one declarative table (in the spirit of TensorFlow Playground's state.ts)
// drives the controls, the URL hash and the request sent to the engine. Every value in the
// hash is validated against the table; unknown or invalid values fall back to the default.

/** [hash key, label, [[value, text], ...], default]. */
export const SETTINGS = [
  ['data', 'Dataset', [['mnist', 'MNIST subset, 28×28'], ['mnist14', 'MNIST subset, 14×14'], ['digits', '8×8 digits'],
    ['cancer', 'breast cancer (table)'], ['wine', 'wine (table)'], ['mixture', 'Gaussian mixture'], ['teacher', 'teacher network']], 'mnist'],
  ['labels', 'Labels', [['clean', 'clean'], ['noise20', '20 % label noise'], ['noise40', '40 % label noise'], ['random', 'random labels']], 'clean'],
  ['model', 'Model', [['fcn1', 'FCN, 1 hidden layer'], ['fcn2', 'FCN, 2 hidden layers'], ['fcn4', 'FCN, 4 hidden layers'], ['lenet', 'LeNet-5 (28×28 MNIST)']], 'fcn2'],
  ['width', 'Width', [['10', '10'], ['32', '32'], ['64', '64'], ['100', '100'], ['256', '256']], '100'],
  ['act', 'Activation', [['relu', 'ReLU'], ['tanh', 'tanh']], 'relu'],
  ['lr', 'Learning rate', [['0.003', '0.003'], ['0.01', '0.01'], ['0.03', '0.03'], ['0.1', '0.1'], ['0.3', '0.3'], ['1', '1'], ['10', '10 (diverges)']], '0.1'],
  ['bs', 'Batch size', [['16', '16'], ['32', '32'], ['64', '64'], ['128', '128'], ['256', '256'], ['512', '512']], '128'],
  ['epochs', 'Epochs', [['1', '1'], ['2', '2'], ['5', '5'], ['10', '10'], ['20', '20']], '10'],
  ['mom', 'Momentum', [['0', '0'], ['0.5', '0.5'], ['0.9', '0.9']], '0.9'],
  ['wd', 'Weight decay', [['0', '0'], ['0.0005', '5e-4']], '0.0005'],
  ['sched', 'Schedule', [['step', '÷10 at 40 % and 80 %'], ['const', 'constant']], 'step'],
];

export const DEFAULTS = Object.fromEntries(SETTINGS.map(([k, , , d]) => [k, d]));
const VALID = Object.fromEntries(SETTINGS.map(([k, , opts]) => [k, new Set(opts.map(([v]) => v))]));

/** Settings and seed from a hash like `#seed=7&data=digits&lr=0.3`. */
export function readHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const settings = { ...DEFAULTS };
  for (const [k] of SETTINGS) {
    const v = params.get(k);
    if (v !== null && VALID[k].has(v)) settings[k] = v;
  }
  const s = params.get('seed');
  const seed = s !== null && /^\d{1,15}$/.test(s) ? Number(s) : null;
  const embed = params.get('embed') === '1';
  const hide = (params.get('hide') || '').split(',').filter((h) => HIDEABLE.includes(h));
  return { settings, seed, embed, hide };
}

/** Parts of the page a classroom or embed link can hide (`hide=setup,upload`). */
export const HIDEABLE = ['setup', 'seed', 'training', 'structure', 'upload'];

/** The hash for a state: the seed, then only the settings that differ from the defaults, then
 * the presentation flags (embed mode, hidden parts). */
export function writeHash(settings, seed, { embed = false, hide = [] } = {}) {
  const params = new URLSearchParams({ seed: String(seed) });
  for (const [k] of SETTINGS) if (settings[k] !== DEFAULTS[k]) params.set(k, settings[k]);
  if (embed) params.set('embed', '1');
  if (hide.length) params.set('hide', hide.join(','));
  return `#${params.toString()}`;
}

const DATA = {
  mnist: { kind: 'mnist', downsample: 1 },
  mnist14: { kind: 'mnist', downsample: 2 },
  digits: { kind: 'digits8x8' },
  cancer: { kind: 'breast_cancer' },
  wine: { kind: 'wine' },
};

/** The engine request (`src/web/lab.rs` `LabRequest`) for settings and seed. */
export function toRequest(s, seed) {
  const data = DATA[s.data] || (s.data === 'mixture'
    ? { kind: 'gaussian_mixture', n: 3000, d: 20, n_classes: 4, separation: 1.0, seed }
    : { kind: 'teacher', n: 3000, d: 20, n_classes: 4, hidden: 32, seed });
  const width = Number(s.width);
  const depth = { fcn1: 1, fcn2: 2, fcn4: 4 }[s.model];
  const model = s.model === 'lenet'
    ? { kind: 'lenet', activation: s.act }
    : { kind: 'fcn', hidden: Array(depth).fill(width), activation: s.act };
  return {
    data,
    prepare: { label_noise: { noise20: 0.2, noise40: 0.4 }[s.labels] || 0, random_labels: s.labels === 'random' },
    train: {
      seed,
      model,
      batch_size: Number(s.bs),
      epochs: Number(s.epochs),
      sgd: {
        lr: Number(s.lr), momentum: Number(s.mom), weight_decay: Number(s.wd),
        schedule: s.sched === 'step' ? { kind: 'step_decay', milestones: [0.4, 0.8], factor: 0.1 } : { kind: 'constant' },
      },
      log: { n_tracked: 50, full_every: 0, frozen: null },
    },
  };
}
