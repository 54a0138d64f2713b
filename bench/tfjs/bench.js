// The TensorFlow.js peer of tests/bench_web.rs and bench/anchors/network_anchor.py (issue #16 item 4): the same network
// work, timed with performance.now() in the same headless Chromium. Loaded by bench/tfjs/index.html, which
// bench/tfjs/tfjs-bench.mjs serves cross-origin isolated (so tfjs-wasm runs its threaded SIMD binary) and drives
// through window.runTfjsBench().
//
// Work compared (FCN 784->100->100->10, ReLU, He init, softmax cross-entropy, f32, the MNIST asset
// assets/mnist-10k.bin.gz: first 8,000 images as the training set, per-pixel standardised, sd 0 -> 1), for each
// backend (wasm: XNNPACK kernels in wasm SIMD on tfjs' thread pool; cpu: tfjs' plain-JS kernels; webgl is only
// probed: headless Chromium with --disable-gpu has no GPU, its WebGL is SwiftShader, a software rasteriser):
//   * one SGD step at batch 128 (momentum 0.9, weight decay 5e-4, lr 0.1), batches drawn from a permutation
//     of the training set as in the numpy anchor, each batch copied from the JS arrays into new tensors:
//       variableGrads + train.momentum: tf.variableGrads of tf.losses.softmaxCrossEntropy, 5e-4 * w added to each
//                                       gradient, optimizer.applyGradients (what optimizer.minimize does);
//       hand backprop:                  np_backward's batched backward, then the momentum update by assign.
//   * per-sample gradients for N = 1000 samples at fresh He-init weights:
//       tf.grads loop:                  tf.grads of one sample's loss, 1000 calls, each gradient read back;
//       factors (a, delta; batched):    one batched forward + backward keeping the per-layer inputs a_l and
//                                       errors delta_l (sgn-lab's representation: g_j = delta_j a_j^T per layer).
//   * the full-batch gradient over the 8,000 training samples: tf.grads of the mean loss in one batch, the same
//     in 8 chunks of 1000 (summed losses, gradients added), and hand backprop (delta^T a over the 8,000).
// The forward pass is tf.fused.matMul with the bias and ReLU fused (what tf.layers.dense runs).
// Each timed call ends by reading its outputs back (dataSync: the loss and the last updated bias of a step, every
// gradient or factor otherwise) and disposes its tensors (tf.tidy); warm-up calls first, then the mean over reps.
//
// Checks, once per backend before timing: the SGD loss falls (mean of the last 20 of 200 steps under half the
// first 20, both forms); the factor form's per-sample gradient of a few samples (delta_i a_i^T and delta_i for all
// three layers) against tf.grads of that sample's loss, norm-wise relative error <= 1e-6; the factor rows summed
// over the 1000 samples against tf.grads of the summed loss (<= 1e-5); the three full-batch forms against each
// other (<= 1e-5).
//
// Prints human-readable lines and, per measurement,
//     ANCHOR {"task": "<criterion group/bench>", "anchor": "tfjs-<backend> <form> [Chromium]", "s": <mean s>, "reps": R}
// and per backend one TFJS {"backend", "threads", "checks", ...} line; lines go to the driver through
// window.benchEmit (exposed by tfjs-bench.mjs), or to the console and the page when opened by hand.

const SIZES = [784, 100, 100, 10];
const LR = 0.1, MOMENTUM = 0.9, WD = 5e-4, B = 128, N_PS = 1000, N_TRAIN = 8000, CHUNK = 1000;
const TASK = {
  sgd: 'engine/sgd_step_fcn784-100-100-10_b128',
  perSample: 'engine/per_sample_grads_n1000_f32',
  fullBatch: 'engine/full_batch_grad_n8000_f32',
};
const TOL = { perSample: 1e-6, summed: 1e-5, fullBatch: 1e-5, lossRatio: 0.5 };
const CHECK_SAMPLES = [0, 1, 2, 123, 500, 999];

async function emit(line) {
  document.getElementById('out').textContent += line + '\n';
  if (window.benchEmit) await window.benchEmit(line);
  else console.log(line);
}

// ---------------------------------------------------------------- data
/** The SGNI asset as numpy's load_mnist reads it: the first 8,000 images, per-pixel standardised (sd 0 -> 1), and
 * their labels one-hot. */
async function loadMnist(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const raw = new Uint8Array(await new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  const dv = new DataView(raw.buffer);
  if (String.fromCharCode(...raw.subarray(0, 4)) !== 'SGNI') throw new Error('not an SGNI asset');
  const n = dv.getUint32(6, true), rows = dv.getUint16(10, true), cols = dv.getUint16(12, true), maxv = dv.getUint16(16, true);
  const d = rows * cols, h = 18;
  if (d !== SIZES[0] || n < N_TRAIN) throw new Error(`unexpected asset shape ${n} x ${rows} x ${cols}`);
  const mu = new Float64Array(d), sq = new Float64Array(d);
  for (let i = 0; i < N_TRAIN; i++) {
    for (let k = 0; k < d; k++) {
      const v = raw[h + i * d + k] / maxv;
      mu[k] += v;
      sq[k] += v * v;
    }
  }
  const sd = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    mu[k] /= N_TRAIN;
    sd[k] = Math.sqrt(Math.max(sq[k] / N_TRAIN - mu[k] * mu[k], 0));
    if (sd[k] === 0) sd[k] = 1;
  }
  const x = new Float32Array(N_TRAIN * d);
  for (let i = 0; i < N_TRAIN; i++) for (let k = 0; k < d; k++) x[i * d + k] = (raw[h + i * d + k] / maxv - mu[k]) / sd[k];
  const y = raw.subarray(h + n * d, h + n * d + N_TRAIN);
  const onehot = new Float32Array(N_TRAIN * SIZES[3]);
  for (let i = 0; i < N_TRAIN; i++) onehot[i * SIZES[3] + y[i]] = 1;
  return { x, onehot };
}

// ---------------------------------------------------------------- random numbers (seeded; not numpy's stream)
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand) {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function permutation(n, rand) {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** Batches of B indices from a permutation of the training set, a new permutation when one runs out (the anchor's). */
function batchSampler(seed) {
  const rand = mulberry32(seed);
  let perm = permutation(N_TRAIN, rand), pos = 0;
  return () => {
    if (pos + B > N_TRAIN) {
      perm = permutation(N_TRAIN, rand);
      pos = 0;
    }
    pos += B;
    return perm.slice(pos - B, pos);
  };
}

// ---------------------------------------------------------------- the network
/** He-init parameters [W1, b1, W2, b2, W3, b3], W_l as [in, out] (so z = a W + b). */
function initParams(seed) {
  const rand = mulberry32(seed);
  const p = [];
  for (let l = 0; l < 3; l++) {
    const fi = SIZES[l], fo = SIZES[l + 1], s = Math.sqrt(2 / fi);
    const w = new Float32Array(fi * fo);
    for (let k = 0; k < w.length; k++) w[k] = gaussian(rand) * s;
    p.push(tf.tensor2d(w, [fi, fo]), tf.zeros([fo]));
  }
  return p;
}

function toVariables(tensors) {
  return tensors.map((t) => {
    const v = tf.variable(t);
    t.dispose();
    return v;
  });
}

/** Forward pass: [h1, h2, z3] (the hidden activations and the logits). */
function forward(p, x) {
  const h1 = tf.fused.matMul({ a: x, b: p[0], bias: p[1], activation: 'relu' });
  const h2 = tf.fused.matMul({ a: h1, b: p[2], bias: p[3], activation: 'relu' });
  const z3 = tf.fused.matMul({ a: h2, b: p[4], bias: p[5] });
  return [h1, h2, z3];
}

const logits = (p, x) => forward(p, x)[2];
const meanLoss = (p, x, onehot) => tf.losses.softmaxCrossEntropy(onehot, logits(p, x));
const sumLoss = (p, x, onehot) => tf.losses.softmaxCrossEntropy(onehot, logits(p, x), undefined, 0, tf.Reduction.SUM);

// The hand-written passes transpose explicitly: tfjs-wasm's BatchMatMul with transposeA or transposeB set is about
// 10x slower than transpose + plain product (≈ 10 ms against 1-2 ms for 784x128 . 128x100 here). tfjs' own
// gradients (tf.grads, variableGrads) use the flags; that cost is theirs.

/** np_backward: the per-layer inputs a_l and errors delta_l of a batch; scale 1/B for a mean loss, 1 per sample. */
function factors(p, x, onehot, scale) {
  const [h1, h2, z3] = forward(p, x);
  let d3 = tf.sub(tf.softmax(z3), onehot);
  if (scale !== 1) d3 = d3.mul(scale);
  const d2 = tf.matMul(d3, tf.transpose(p[4])).mul(tf.step(h2)); // ReLU' = 1 where h > 0 (h > 0 iff z > 0)
  const d1 = tf.matMul(d2, tf.transpose(p[2])).mul(tf.step(h1));
  return { a: [x, h1, h2], d: [d1, d2, d3], z3 };
}

/** Weight and bias gradients of the loss whose errors are `d`: W_l = a_l^T delta_l, computed as (delta_l^T a_l)^T
 * (transposing delta and the small result, not the wide a_l); b_l = sum of delta_l. */
function gradsFromFactors({ a, d }) {
  return [0, 1, 2].flatMap((l) => [tf.transpose(tf.matMul(tf.transpose(d[l]), a[l])), d[l].sum(0)]);
}

function readAll(tensors) {
  const out = tensors.map((t) => t.dataSync());
  for (const t of tensors) t.dispose();
  return out;
}

// ---------------------------------------------------------------- the data on the backend
// Batches and samples are copied from the JS arrays into new tensors (what tfjs' MNIST example does): tf.gather of
// 128 rows of the 8,000 x 784 tensor costs ≈ 5 ms on tfjs-wasm, and its Slice reads the whole input back
// (readSync), ≈ 27 ms for one row, against ≈ 0.5 ms for the copy and upload of a batch.

function rows(arr, width, start, n) {
  return tf.tensor2d(arr.subarray(start * width, (start + n) * width), [n, width]);
}

/** One batch (indices `idx`): [x, one-hot y] as new tensors. */
function batchTensors(data, idx) {
  const [w, c] = [SIZES[0], SIZES[3]];
  const xb = new Float32Array(idx.length * w), yb = new Float32Array(idx.length * c);
  idx.forEach((i, r) => {
    xb.set(data.x.subarray(i * w, (i + 1) * w), r * w);
    yb.set(data.onehot.subarray(i * c, (i + 1) * c), r * c);
  });
  return [tf.tensor2d(xb, [idx.length, w]), tf.tensor2d(yb, [idx.length, c])];
}

const sampleTensors = (data, i) => [rows(data.x, SIZES[0], i, 1), rows(data.onehot, SIZES[3], i, 1)];

/** The training set held on the current backend: all of it, in chunks, and the first N_PS samples. */
function upload(data) {
  const set = (start, n) => ({ x: rows(data.x, SIZES[0], start, n), y: rows(data.onehot, SIZES[3], start, n) });
  const all = set(0, N_TRAIN), first = set(0, N_PS), chunks = [];
  for (let c = 0; c < N_TRAIN; c += CHUNK) chunks.push(set(c, CHUNK));
  return {
    js: data, X: all.x, Y: all.y, xs: first.x, ys: first.y, chunks,
    dispose: () => [all, first, ...chunks].forEach((t) => { t.x.dispose(); t.y.dispose(); }),
  };
}

// ---------------------------------------------------------------- the timed work
/** The idiomatic step: variableGrads of the mean loss, weight decay added to the gradients, the momentum optimizer. */
function idiomaticStepper(D, seed) {
  const vars = toVariables(initParams(seed));
  const opt = tf.train.momentum(LR, MOMENTUM);
  const next = batchSampler(seed);
  const step = () => {
    const loss = tf.tidy(() => {
      const [xb, yb] = batchTensors(D.js, next());
      const { value, grads } = tf.variableGrads(() => meanLoss(vars, xb, yb), vars);
      for (const v of vars) grads[v.name] = grads[v.name].add(v.mul(WD));
      opt.applyGradients(grads);
      return value;
    });
    const l = loss.dataSync()[0];
    loss.dispose();
    vars[5].dataSync(); // the last bias applyGradients updates
    return l;
  };
  return { step, dispose: () => { opt.dispose(); vars.forEach((v) => v.dispose()); } };
}

/** The hand-written step: np_backward (mean) and the anchor's update, v = 0.9 v + g + wd w, w -= lr v, by assign. */
function handStepper(D, seed) {
  const vars = toVariables(initParams(seed));
  const vel = toVariables(vars.map((v) => tf.zerosLike(v)));
  const next = batchSampler(seed);
  const step = (withLoss = false) => {
    const loss = tf.tidy(() => {
      const [xb, yb] = batchTensors(D.js, next());
      const f = factors(vars, xb, yb, 1 / B);
      const g = gradsFromFactors(f);
      for (let k = 0; k < 6; k++) {
        vel[k].assign(vel[k].mul(MOMENTUM).add(g[k]).add(vars[k].mul(WD)));
        vars[k].assign(vars[k].sub(vel[k].mul(LR)));
      }
      return withLoss ? tf.losses.softmaxCrossEntropy(yb, f.z3) : null;
    });
    vars[5].dataSync();
    if (!loss) return NaN;
    const l = loss.dataSync()[0];
    loss.dispose();
    return l;
  };
  return { step, dispose: () => [...vars, ...vel].forEach((v) => v.dispose()) };
}

/** tf.grads of sample i's loss: the six gradient tensors. */
function sampleGrads(p, D, i) {
  return tf.tidy(() => {
    const [xi, yi] = sampleTensors(D.js, i);
    return tf.grads((...q) => meanLoss(q, xi, yi))(p);
  });
}

/** The honest per-sample loop: n calls of tf.grads, each sample's gradient read back. */
function perSampleLoop(p, D, n) {
  for (let i = 0; i < n; i++) readAll(sampleGrads(p, D, i));
}

/** The factor form: one batched backward keeping a_l and delta_l (a_0 is the input itself). */
function perSampleFactors(p, D) {
  return tf.tidy(() => {
    const { a, d } = factors(p, D.xs, D.ys, 1);
    return [a[1], a[2], ...d];
  });
}

function fullBatchOnce(p, D) {
  return tf.tidy(() => tf.grads((...q) => meanLoss(q, D.X, D.Y))(p));
}

/** The summed loss's gradients chunk by chunk, added, over N_TRAIN. */
function fullBatchChunked(p, D) {
  return tf.tidy(() => {
    let acc = null;
    for (const { x, y } of D.chunks) {
      const g = tf.grads((...q) => sumLoss(q, x, y))(p);
      acc = acc ? acc.map((t, k) => t.add(g[k])) : g;
    }
    return acc.map((t) => t.div(N_TRAIN));
  });
}

function fullBatchHand(p, D) {
  return tf.tidy(() => gradsFromFactors(factors(p, D.X, D.Y, 1 / N_TRAIN)));
}

// ---------------------------------------------------------------- checks
/** Norm-wise relative error of `got` against `want` over the concatenation of their blocks. */
function relErr(got, want) {
  let dd = 0, ww = 0;
  for (let b = 0; b < want.length; b++) {
    for (let k = 0; k < want[b].length; k++) {
      const e = got[b][k] - want[b][k];
      dd += e * e;
      ww += want[b][k] * want[b][k];
    }
  }
  return Math.sqrt(dd / ww);
}

/** Sample i's gradient from the factors, in f64: [delta a^T as [in, out], delta] per layer (tf.grads' order). */
function rowFromFactors(A, D, i) {
  const blocks = [];
  for (let l = 0; l < 3; l++) {
    const fi = SIZES[l], fo = SIZES[l + 1];
    const g = new Float64Array(fi * fo);
    for (let k = 0; k < fi; k++) {
      const ak = A[l][i * fi + k];
      if (ak !== 0) for (let j = 0; j < fo; j++) g[k * fo + j] = ak * D[l][i * fo + j];
    }
    blocks.push(g, Float64Array.from(D[l].subarray(i * fo, (i + 1) * fo)));
  }
  return blocks;
}

/** The factor rows summed over the n samples, in f64. */
function sumFromFactors(A, D, n) {
  const blocks = [];
  for (let l = 0; l < 3; l++) {
    const fi = SIZES[l], fo = SIZES[l + 1];
    const g = new Float64Array(fi * fo), gb = new Float64Array(fo);
    for (let i = 0; i < n; i++) {
      const di = D[l].subarray(i * fo, (i + 1) * fo);
      for (let j = 0; j < fo; j++) gb[j] += di[j];
      for (let k = 0; k < fi; k++) {
        const ak = A[l][i * fi + k];
        if (ak !== 0) for (let j = 0; j < fo; j++) g[k * fo + j] += ak * di[j];
      }
    }
    blocks.push(g, gb);
  }
  return blocks;
}

function lossFalls(stepper) {
  const losses = [];
  for (let s = 0; s < 200; s++) losses.push(stepper.step(true));
  stepper.dispose();
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  const first20 = mean(losses.slice(0, 20)), last20 = mean(losses.slice(-20));
  const ratio = last20 / first20;
  return { first20, last20, ratio, ok: Number.isFinite(ratio) && ratio < TOL.lossRatio };
}

function runChecks(D) {
  const sgdIdiomatic = lossFalls(idiomaticStepper(D, 0));
  const sgdHand = lossFalls(handStepper(D, 0));

  const p = initParams(1);
  const [a1, a2, d1, d2, d3] = readAll(perSampleFactors(p, D));
  const fa = [D.js.x.subarray(0, N_PS * SIZES[0]), a1, a2], fd = [d1, d2, d3];
  const errors = CHECK_SAMPLES.map((i) => relErr(rowFromFactors(fa, fd, i), readAll(sampleGrads(p, D, i))));
  const perSample = { samples: CHECK_SAMPLES, errors, max: Math.max(...errors), tol: TOL.perSample };
  perSample.ok = perSample.max <= TOL.perSample;

  const summedAutodiff = readAll(tf.tidy(() => tf.grads((...q) => sumLoss(q, D.xs, D.ys))(p)));
  const summedRel = relErr(sumFromFactors(fa, fd, N_PS), summedAutodiff);
  const summed = { rel: summedRel, tol: TOL.summed, ok: summedRel <= TOL.summed };

  const once = readAll(fullBatchOnce(p, D));
  const chunkedRel = relErr(readAll(fullBatchChunked(p, D)), once);
  const handRel = relErr(readAll(fullBatchHand(p, D)), once);
  const fullBatch = { chunked_rel: chunkedRel, hand_rel: handRel, tol: TOL.fullBatch, ok: Math.max(chunkedRel, handRel) <= TOL.fullBatch };
  p.forEach((t) => t.dispose());

  return {
    sgd_loss_variableGrads: sgdIdiomatic,
    sgd_loss_hand: sgdHand,
    per_sample_factor_vs_tf_grads: perSample,
    summed_rows_vs_tf_grads_of_summed_loss: summed,
    full_batch_forms_vs_tf_grads: fullBatch,
  };
}

// ---------------------------------------------------------------- timing
async function report(task, anchor, s, reps) {
  await emit(`${anchor.padEnd(62)} ${task.padEnd(40)} ${(s * 1e3).toFixed(3).padStart(10)} ms  (mean of ${reps})`);
  await emit('ANCHOR ' + JSON.stringify({ task, anchor, s, reps }));
}

/** Warm-up calls (or `warm`), then reps sized to about `budget` seconds from the warm-up's pace, within [min, max]. */
async function time(task, anchor, f, { warmup = 1, warm = null, min = 3, max = 300, budget = 2, reps = 0 }) {
  let t = performance.now();
  if (warm) warm();
  else for (let i = 0; i < warmup; i++) f();
  const per = (performance.now() - t) / 1e3 / (warm ? 1 : warmup);
  const n = reps || Math.min(max, Math.max(min, Math.round(budget / per)));
  t = performance.now();
  for (let i = 0; i < n; i++) f();
  const s = (performance.now() - t) / 1e3 / n;
  await report(task, anchor, s, n);
  return s;
}

async function runBackend(backend, data, scale) {
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  await tf.ready();
  const threads = backend === 'wasm' ? tf.wasm.getThreadsCount() : 1;
  const tensorsBefore = tf.memory().numTensors;
  await emit(`\n-- tfjs-${backend}: ${threads} thread(s)${backend === 'wasm' ? ` (hardwareConcurrency ${navigator.hardwareConcurrency})` : ' (JS on the page\'s main thread)'}`);
  const D = upload(data);

  const t = performance.now();
  const checks = runChecks(D);
  const ok = Object.values(checks).every((c) => c.ok);
  const fmt = (x) => x.toExponential(2);
  const c = checks;
  await emit(`checks (${((performance.now() - t) / 1e3).toFixed(1)} s): ` +
    `SGD loss ${c.sgd_loss_variableGrads.first20.toFixed(3)} -> ${c.sgd_loss_variableGrads.last20.toFixed(3)} (variableGrads), ` +
    `${c.sgd_loss_hand.first20.toFixed(3)} -> ${c.sgd_loss_hand.last20.toFixed(3)} (hand); ` +
    `per-sample factor vs tf.grads max ${fmt(c.per_sample_factor_vs_tf_grads.max)} (tol ${TOL.perSample}); ` +
    `summed rows vs tf.grads ${fmt(c.summed_rows_vs_tf_grads_of_summed_loss.rel)} (tol ${TOL.summed}); ` +
    `full batch chunked ${fmt(c.full_batch_forms_vs_tf_grads.chunked_rel)}, hand ${fmt(c.full_batch_forms_vs_tf_grads.hand_rel)} ` +
    `(tol ${TOL.fullBatch}): ${ok ? 'all pass' : 'FAILED'}`);
  await emit('TFJS ' + JSON.stringify({ backend, threads, hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated, checks, ok }));

  const name = (form) => `tfjs-${backend} ${form} [Chromium]`;
  const b = (s) => s * scale; // time budgets, seconds
  const timings = {};
  const idiomatic = idiomaticStepper(D, 0); // the checks made the first optimizer
  timings.sgd_variableGrads = await time(TASK.sgd, name('variableGrads + train.momentum'), idiomatic.step, { warmup: 20, min: 10, budget: b(3) });
  idiomatic.dispose();
  const hand = handStepper(D, 0);
  timings.sgd_hand = await time(TASK.sgd, name('hand backprop'), () => hand.step(), { warmup: 20, min: 10, budget: b(3) });
  hand.dispose();

  const p = initParams(1);
  timings.per_sample_loop = await time(TASK.perSample, name('tf.grads loop (1000 calls)'), () => perSampleLoop(p, D, N_PS),
    { warm: () => perSampleLoop(p, D, 20), reps: 2 });
  timings.per_sample_factors = await time(TASK.perSample, name('factors (a, delta; batched)'), () => readAll(perSampleFactors(p, D)),
    { warmup: 2, min: 5, max: 100, budget: b(2) });

  timings.full_batch_once = await time(TASK.fullBatch, name('tf.grads (one batch of 8000)'), () => readAll(fullBatchOnce(p, D)),
    { warmup: 1, min: 3, max: 50, budget: b(3) });
  timings.full_batch_chunked = await time(TASK.fullBatch, name(`tf.grads (${N_TRAIN / CHUNK} chunks of ${CHUNK})`), () => readAll(fullBatchChunked(p, D)),
    { warmup: 1, min: 3, max: 50, budget: b(3) });
  timings.full_batch_hand = await time(TASK.fullBatch, name('hand backprop'), () => readAll(fullBatchHand(p, D)),
    { warmup: 1, min: 3, max: 50, budget: b(3) });

  p.forEach((x) => x.dispose());
  D.dispose();
  // tf.train.momentum's dispose() leaves one scalar (-lr, made by its SGD base class): one per optimizer made here.
  const leaked = tf.memory().numTensors - tensorsBefore, optimizers = 2;
  if (leaked !== optimizers) await emit(`note: ${leaked} tensors left on tfjs-${backend} after its run (${optimizers} expected)`);
  return { backend, threads, ok, checks, timings, leaked, seconds: (performance.now() - t) / 1e3 };
}

/** Entry point for the driver: runs every backend asked for; resolves to { ok, results, webgl }. */
window.runTfjsBench = async ({ backends = ['wasm', 'cpu'], scale = 1 } = {}) => {
  tf.wasm.setWasmPaths(new URL('tfjs-wasm/', location.href).href);
  const data = await loadMnist(new URL('assets/mnist-10k.bin.gz', location.href));
  await emit(`tfjs ${tf.version.tfjs}, tfjs-backend-wasm ${tf.wasm.version_wasm}; crossOriginIsolated=${crossOriginIsolated}, ` +
    `hardwareConcurrency=${navigator.hardwareConcurrency}; data ${N_TRAIN} x ${SIZES[0]} standardised`);
  const results = [];
  for (const backend of backends) results.push(await runBackend(backend, data, scale));
  // WebGL: probed, not timed. With --disable-gpu there is no GPU; what WebGL Chromium still offers is SwiftShader.
  let webgl;
  try {
    if (await tf.setBackend('webgl')) {
      const gl = tf.backend().gpgpu.gl, info = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
      webgl = `a context exists but renders on the CPU (${renderer}): no GPU with --disable-gpu, not timed`;
      if (!/swiftshader|llvmpipe|software/i.test(renderer)) webgl = `a GPU context (${renderer}): not timed by this bench`;
    } else {
      webgl = 'not available (tf.setBackend returned false)';
    }
  } catch (e) {
    webgl = `not available (${e.message})`;
  }
  await emit(`\nwebgl: ${webgl}`);
  return { ok: results.every((r) => r.ok), results, webgl, crossOriginIsolated };
};
