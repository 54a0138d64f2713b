//! A network is a sequence of [`Layer`]s with one flat parameter vector θ (see the flattening
//! order in [`crate::nn`]). Forward passes record a [`Tape`] of activations; the backward pass
//! either sums parameter gradients over the batch or returns per-sample gradients, in one
//! batched pass either way.

use super::activation::{Activation, ActivationKind};
use super::conv::Conv2d;
use super::dense::Dense;
use super::linalg::Workspace;
use super::loss::LossKind;
use super::pool::MaxPool2;
use super::{GradBlock, NnError, PerSampleGrads, Scalar};
use crate::data::ImageShape;
use crate::rng::substream;
use serde::{Deserialize, Serialize};

/// Stream id for weight initialisation (see [`crate::rng::substream`]).
pub const INIT_STREAM: u64 = 0x494e_4954;

/// One layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Dense(Dense),
    Activation(Activation),
    Conv(Conv2d),
    Pool(MaxPool2),
}

impl Layer {
    pub fn n_params(&self) -> usize {
        match self {
            Layer::Dense(l) => l.n_params(),
            Layer::Conv(l) => l.n_params(),
            _ => 0,
        }
    }
    pub fn in_size(&self) -> usize {
        match self {
            Layer::Dense(l) => l.fan_in,
            Layer::Activation(l) => l.size,
            Layer::Conv(l) => l.in_size(),
            Layer::Pool(l) => l.in_size(),
        }
    }
    pub fn out_size(&self) -> usize {
        match self {
            Layer::Dense(l) => l.fan_out,
            Layer::Activation(l) => l.size,
            Layer::Conv(l) => l.out_size(),
            Layer::Pool(l) => l.out_size(),
        }
    }
    /// A short description, e.g. `dense 784→100`.
    pub fn describe(&self) -> String {
        match self {
            Layer::Dense(l) => format!("dense {}→{}", l.fan_in, l.fan_out),
            Layer::Activation(l) => format!("{:?}", l.kind).to_lowercase(),
            Layer::Conv(l) => format!(
                "conv {}×{}×{} → {}×{}×{} (k={})",
                l.in_c,
                l.in_h,
                l.in_w,
                l.out_c,
                l.out_h(),
                l.out_w(),
                l.k
            ),
            Layer::Pool(l) => format!("maxpool2 {}×{}×{}", l.c, l.h, l.w),
        }
    }
}

/// Weight initialisation (biases are always 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum InitKind {
    /// He for ReLU networks, Xavier for tanh networks.
    #[default]
    Auto,
    /// He (Kaiming) normal: W ~ N(0, 2/fan_in).
    He,
    /// Xavier (Glorot) normal: W ~ N(0, 2/(fan_in + fan_out)).
    Xavier,
}

/// Architecture choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ModelSpec {
    /// Fully connected: input → hidden[0] → … → classes, activation after every hidden layer.
    Fcn {
        hidden: Vec<usize>,
        activation: ActivationKind,
    },
    /// LeNet-5 for 1×28×28 input: conv 5×5×6 → act → pool → conv 5×5×16 → act → pool → 256→120 → act → 120→84 → act → 84→K.
    Lenet { activation: ActivationKind },
}

impl Default for ModelSpec {
    fn default() -> Self {
        ModelSpec::Fcn {
            hidden: vec![100, 100],
            activation: ActivationKind::Relu,
        }
    }
}

impl ModelSpec {
    pub fn activation(&self) -> ActivationKind {
        match self {
            ModelSpec::Fcn { activation, .. } | ModelSpec::Lenet { activation } => *activation,
        }
    }

    /// The layer list for inputs of dimension `d` (image geometry `image` when present) and `k` classes.
    pub fn layers(&self, d: usize, image: Option<ImageShape>, k: usize) -> Result<Vec<Layer>, NnError> {
        if d == 0 || k < 2 {
            return Err(NnError::Shape(format!("input dimension {d}, {k} classes")));
        }
        let mut out = Vec::new();
        match self {
            ModelSpec::Fcn { hidden, activation } => {
                let mut prev = d;
                for &h in hidden {
                    if h == 0 {
                        return Err(NnError::Shape("a hidden layer of width 0".into()));
                    }
                    out.push(Layer::Dense(Dense {
                        fan_in: prev,
                        fan_out: h,
                    }));
                    out.push(Layer::Activation(Activation {
                        kind: *activation,
                        size: h,
                    }));
                    prev = h;
                }
                out.push(Layer::Dense(Dense {
                    fan_in: prev,
                    fan_out: k,
                }));
            }
            ModelSpec::Lenet { activation } => {
                match image {
                    Some(ImageShape {
                        channels: 1,
                        rows: 28,
                        cols: 28,
                    }) => {}
                    s => {
                        return Err(NnError::Shape(format!(
                            "LeNet needs 1×28×28 images, the data has {s:?}"
                        )))
                    }
                }
                let act = |size| {
                    Layer::Activation(Activation {
                        kind: *activation,
                        size,
                    })
                };
                let c1 = Conv2d {
                    in_c: 1,
                    out_c: 6,
                    k: 5,
                    in_h: 28,
                    in_w: 28,
                };
                let p1 = MaxPool2 { c: 6, h: 24, w: 24 };
                let c2 = Conv2d {
                    in_c: 6,
                    out_c: 16,
                    k: 5,
                    in_h: 12,
                    in_w: 12,
                };
                let p2 = MaxPool2 { c: 16, h: 8, w: 8 };
                out.extend([
                    Layer::Conv(c1),
                    act(c1.out_size()),
                    Layer::Pool(p1),
                    Layer::Conv(c2),
                    act(c2.out_size()),
                    Layer::Pool(p2),
                    Layer::Dense(Dense {
                        fan_in: 256,
                        fan_out: 120,
                    }),
                    act(120),
                    Layer::Dense(Dense {
                        fan_in: 120,
                        fan_out: 84,
                    }),
                    act(84),
                    Layer::Dense(Dense { fan_in: 84, fan_out: k }),
                ]);
            }
        }
        Ok(out)
    }
}

/// A named slice of θ (see [`Network::param_groups`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamGroup {
    /// PyTorch-style name: `fc1.weight`, `fc1.bias`, `conv2.weight`, …
    pub name: String,
    /// Index of the layer in [`Network::layers`].
    pub layer: usize,
    /// Range in the flat parameter vector.
    pub range: std::ops::Range<usize>,
    /// Tensor shape (row-major).
    pub shape: Vec<usize>,
}

/// Activations recorded by a forward pass: `acts[0]` is the input batch (filled by
/// [`Network::forward`]; the loss/gradient methods, which have the input at hand, leave it
/// empty instead of copying it), `acts[i + 1]` the output of layer i (each `batch × size`,
/// row-major), and the scratch of the layers' matrix products (`ws`). Reused across steps to
/// avoid allocation; everything it holds is freed with it.
#[derive(Debug, Clone, Default)]
pub struct Tape<T> {
    pub batch: usize,
    pub acts: Vec<Vec<T>>,
    /// Scratch of the forward and backward products (packed panels, plans).
    pub ws: Workspace<T>,
}

/// Where the backward pass puts parameter gradients.
pub enum Sink<'a, T> {
    /// Σ over the batch of ∂ℓ_j/∂θ (scale `dz` by 1/B beforehand for the mean), added into the slice.
    Sum(&'a mut [T]),
    /// Per-sample gradient blocks, one per parameterised layer, in parameter order.
    PerSample(&'a mut Vec<GradBlock>),
}

/// A network with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Network<T> {
    pub layers: Vec<Layer>,
    /// Start of each layer's parameters in `params`.
    pub offsets: Vec<usize>,
    /// θ, flattened (see [`crate::nn`]).
    pub params: Vec<T>,
}

impl<T: Scalar> Network<T> {
    /// A network with all parameters 0 (checks that consecutive layer sizes match).
    pub fn zeros(layers: Vec<Layer>) -> Result<Self, NnError> {
        if layers.is_empty() {
            return Err(NnError::Shape("no layers".into()));
        }
        for w in layers.windows(2) {
            if w[0].out_size() != w[1].in_size() {
                return Err(NnError::Shape(format!(
                    "{} feeds {} values into {}",
                    w[0].describe(),
                    w[0].out_size(),
                    w[1].describe()
                )));
            }
        }
        let mut offsets = Vec::with_capacity(layers.len());
        let mut p = 0usize;
        for l in &layers {
            offsets.push(p);
            p += l.n_params();
        }
        Ok(Network {
            layers,
            offsets,
            params: vec![T::zero(); p],
        })
    }

    /// Builds the layers of `spec` and initialises W by `init` from `substream(seed, INIT_STREAM)`:
    /// layer by layer in parameter order, W entries in flattening order, standard normals
    /// ([`crate::data::standard_normal`], Box–Muller with libm) scaled
    /// by the init's σ (drawn in f64, rounded to T); biases 0. Same seed → same θ for f32 and f64
    /// up to the rounding of the f32 copy.
    pub fn init(
        spec: &ModelSpec,
        d: usize,
        image: Option<ImageShape>,
        k: usize,
        init: InitKind,
        seed: u64,
    ) -> Result<Self, NnError> {
        let mut net = Network::zeros(spec.layers(d, image, k)?)?;
        let kind = match (init, spec.activation()) {
            (InitKind::Auto, ActivationKind::Relu) => InitKind::He,
            (InitKind::Auto, ActivationKind::Tanh) => InitKind::Xavier,
            (i, _) => i,
        };
        let mut rng = substream(seed, INIT_STREAM);
        for (li, l) in net.layers.iter().enumerate() {
            let (fan_in, fan_out, nw) = match l {
                Layer::Dense(d) => (d.fan_in, d.fan_out, d.fan_in * d.fan_out),
                Layer::Conv(c) => (c.in_c * c.k * c.k, c.out_c * c.k * c.k, c.out_c * c.in_c * c.k * c.k),
                _ => continue,
            };
            let sigma = match kind {
                InitKind::Xavier => (2.0 / (fan_in + fan_out) as f64).sqrt(),
                _ => (2.0 / fan_in as f64).sqrt(),
            };
            let off = net.offsets[li];
            for w in &mut net.params[off..off + nw] {
                let z = crate::data::standard_normal(&mut rng);
                *w = T::of(sigma * z);
            }
        }
        Ok(net)
    }

    /// Number of parameters P.
    pub fn n_params(&self) -> usize {
        self.params.len()
    }
    pub fn input_dim(&self) -> usize {
        self.layers.first().map_or(0, Layer::in_size)
    }
    pub fn output_dim(&self) -> usize {
        self.layers.last().map_or(0, Layer::out_size)
    }

    /// The same network in another float type (θ converted through f64).
    pub fn cast<U: Scalar>(&self) -> Network<U> {
        Network {
            layers: self.layers.clone(),
            offsets: self.offsets.clone(),
            params: self.params.iter().map(|v| U::of(v.f64())).collect(),
        }
    }

    /// The parameter slice of layer `i`.
    pub fn layer_params(&self, i: usize) -> &[T] {
        let off = self.offsets[i];
        &self.params[off..off + self.layers[i].n_params()]
    }

    /// (layer index, parameter range) for every parameterised layer, in parameter order.
    pub fn param_blocks(&self) -> Vec<(usize, std::ops::Range<usize>)> {
        self.layers
            .iter()
            .enumerate()
            .filter(|(_, l)| l.n_params() > 0)
            .map(|(i, l)| (i, self.offsets[i]..self.offsets[i] + l.n_params()))
            .collect()
    }

    /// Named parameter groups in flattening order, weights and biases separately, e.g.
    /// `fc1.weight` (100×784), `fc1.bias` (100), …, `conv1.weight` (6×1×5×5): for per-layer views.
    pub fn param_groups(&self) -> Vec<ParamGroup> {
        let mut out = Vec::new();
        let (mut nd, mut nc) = (0, 0);
        for (i, l) in self.layers.iter().enumerate() {
            let off = self.offsets[i];
            match l {
                Layer::Dense(d) => {
                    nd += 1;
                    let nw = d.fan_in * d.fan_out;
                    out.push(ParamGroup {
                        name: format!("fc{nd}.weight"),
                        layer: i,
                        range: off..off + nw,
                        shape: vec![d.fan_out, d.fan_in],
                    });
                    out.push(ParamGroup {
                        name: format!("fc{nd}.bias"),
                        layer: i,
                        range: off + nw..off + nw + d.fan_out,
                        shape: vec![d.fan_out],
                    });
                }
                Layer::Conv(c) => {
                    nc += 1;
                    let nw = c.out_c * c.in_c * c.k * c.k;
                    out.push(ParamGroup {
                        name: format!("conv{nc}.weight"),
                        layer: i,
                        range: off..off + nw,
                        shape: vec![c.out_c, c.in_c, c.k, c.k],
                    });
                    out.push(ParamGroup {
                        name: format!("conv{nc}.bias"),
                        layer: i,
                        range: off + nw..off + nw + c.out_c,
                        shape: vec![c.out_c],
                    });
                }
                _ => {}
            }
        }
        out
    }

    /// 64-bit FNV-1a hash of the parameters' IEEE bit patterns (4 bytes each for f32, 8 for
    /// f64, little-endian), a cheap fingerprint to compare runs bit for bit.
    pub fn fingerprint(&self) -> u64 {
        let bytes = std::mem::size_of::<T>();
        let mut h = FNV_OFFSET;
        for v in &self.params {
            let b = v.bits();
            for i in 0..bytes {
                h = fnv_byte(h, (b >> (8 * i)) as u8);
            }
        }
        h
    }

    /// Forward pass over `batch` samples `x` (batch × input_dim), recording the tape.
    /// Returns the output (batch × K) as the tape's last entry.
    pub fn forward(&self, x: &[T], batch: usize, tape: &mut Tape<T>) {
        self.forward_from(x, batch, tape);
        tape.acts[0].extend_from_slice(x);
    }

    /// [`Network::forward`] without keeping a copy of the input: `tape.acts[0]` is left empty
    /// and the backward pass is given `x` again ([`Network::backward_from`]).
    fn forward_from(&self, x: &[T], batch: usize, tape: &mut Tape<T>) {
        assert_eq!(x.len(), batch * self.input_dim(), "internal: forward input size");
        tape.batch = batch;
        tape.acts.resize_with(self.layers.len() + 1, Vec::new);
        tape.acts[0].clear();
        let ws = &mut tape.ws;
        for (i, l) in self.layers.iter().enumerate() {
            let (prev, rest) = tape.acts.split_at_mut(i + 1);
            let a = if i == 0 { x } else { &prev[i] };
            let y = &mut rest[0];
            y.clear();
            y.resize(batch * l.out_size(), T::zero());
            let p = self.layer_params(i);
            match l {
                Layer::Dense(d) => d.forward(ws, p, a, batch, y),
                Layer::Activation(f) => f.forward(a, y),
                Layer::Conv(c) => c.forward(ws, p, a, batch, y),
                Layer::Pool(q) => q.forward(a, batch, y),
            }
        }
    }

    /// Backward pass from the output errors `dz` (batch × K) through the recorded tape (whose
    /// workspace the products use).
    pub fn backward(&self, tape: &mut Tape<T>, dz: Vec<T>, sink: &mut Sink<'_, T>) {
        let Tape { batch, acts, ws } = tape;
        self.backward_from(&acts[0], acts, *batch, ws, dz, sink)
    }

    /// [`Network::backward`] with the network input `x` given separately (`acts[0]` is not
    /// read): `acts` and `batch` are the tape's, `ws` its workspace.
    fn backward_from(
        &self,
        x: &[T],
        acts: &[Vec<T>],
        batch: usize,
        ws: &mut Workspace<T>,
        dz: Vec<T>,
        sink: &mut Sink<'_, T>,
    ) {
        let mut delta = dz;
        let mut blocks_rev: Vec<GradBlock> = Vec::new();
        for i in (0..self.layers.len()).rev() {
            let l = &self.layers[i];
            let a = if i == 0 { x } else { &acts[i] };
            let need_dx = i > 0;
            let mut dx = if need_dx {
                vec![T::zero(); batch * l.in_size()]
            } else {
                Vec::new()
            };
            let p = self.layer_params(i);
            let off = self.offsets[i];
            match l {
                Layer::Dense(d) => {
                    let g = match sink {
                        Sink::Sum(g) => Some(&mut g[off..off + d.n_params()]),
                        Sink::PerSample(_) => {
                            blocks_rev.push(d.per_sample(a, &delta, batch));
                            None
                        }
                    };
                    d.backward(ws, p, a, &delta, batch, g, need_dx.then_some(dx.as_mut_slice()));
                }
                Layer::Conv(c) => {
                    let g = match sink {
                        Sink::Sum(g) => Some(&mut g[off..off + c.n_params()]),
                        Sink::PerSample(_) => {
                            blocks_rev.push(c.per_sample(ws, a, &delta, batch));
                            None
                        }
                    };
                    c.backward(ws, p, a, &delta, batch, g, need_dx.then_some(dx.as_mut_slice()));
                }
                Layer::Activation(f) => {
                    if need_dx {
                        f.backward(&acts[i + 1], &delta, &mut dx);
                    }
                }
                Layer::Pool(q) => {
                    if need_dx {
                        q.backward(a, &delta, batch, &mut dx);
                    }
                }
            }
            if need_dx {
                delta = dx;
            }
        }
        if let Sink::PerSample(out) = sink {
            blocks_rev.reverse();
            out.extend(blocks_rev);
        }
    }

    /// Mean loss, accuracy count and mean gradient over one batch:
    /// adds (1/B) Σ_j ∂ℓ_j/∂θ into `grad` (which the caller zeroes) and returns (Σ_j ℓ_j, #correct).
    pub fn loss_grad_batch(
        &self,
        x: &[T],
        y: &[u32],
        loss: LossKind,
        tape: &mut Tape<T>,
        grad: &mut [T],
        scale: T,
    ) -> (f64, usize) {
        let b = y.len();
        self.forward_from(x, b, tape);
        let k = self.output_dim();
        let mut dz = vec![T::zero(); b * k];
        let out = match tape.acts.last() {
            Some(z) => loss.eval(z, y, k, &mut dz),
            None => (0.0, 0),
        };
        dz.iter_mut().for_each(|v| *v *= scale);
        self.backward_from(x, &tape.acts, tape.batch, &mut tape.ws, dz, &mut Sink::Sum(grad));
        out
    }

    /// Loss sum and #correct on a batch without gradients.
    pub fn loss_batch(&self, x: &[T], y: &[u32], loss: LossKind, tape: &mut Tape<T>) -> (f64, usize) {
        let b = y.len();
        self.forward_from(x, b, tape);
        let k = self.output_dim();
        let mut dz = vec![T::zero(); b * k];
        match tape.acts.last() {
            Some(z) => loss.eval(z, y, k, &mut dz),
            None => (0.0, 0),
        }
    }

    /// Per-sample gradients ∇ℓ_j(θ) of one batch in one batched backward pass.
    pub fn per_sample_batch(&self, x: &[T], y: &[u32], loss: LossKind, tape: &mut Tape<T>) -> (PerSampleGrads, f64) {
        let b = y.len();
        self.forward_from(x, b, tape);
        let k = self.output_dim();
        let mut dz = vec![T::zero(); b * k];
        let (total, _) = match tape.acts.last() {
            Some(z) => loss.eval(z, y, k, &mut dz),
            None => (0.0, 0),
        };
        let mut blocks = Vec::new();
        self.backward_from(
            x,
            &tape.acts,
            tape.batch,
            &mut tape.ws,
            dz,
            &mut Sink::PerSample(&mut blocks),
        );
        (PerSampleGrads { n: b, blocks }, total)
    }
}

/// FNV-1a 64-bit offset basis.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// One FNV-1a step.
#[inline]
pub fn fnv_byte(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(FNV_PRIME)
}

/// FNV-1a over the little-endian bytes of a slice of f64 (for logs).
pub fn fingerprint_f64(h0: u64, v: &[f64]) -> u64 {
    let mut h = h0;
    for x in v {
        for b in x.to_bits().to_le_bytes() {
            h = fnv_byte(h, b);
        }
    }
    h
}
