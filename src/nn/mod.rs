//! Tiny neural networks: layers, activations, losses, forward/backward, per-sample gradients.
//!
//! One file per layer (`dense.rs`, `conv.rs`, `pool.rs`, `activation.rs`, `loss.rs`), each
//! stating its forward formula and derivative side by side; `network.rs` chains them and
//! `grad.rs` measures gradients over datasets. All layer code is generic over [`Scalar`]
//! (f32 for training, f64 for finite-difference checks and measurements).
//!
//! # Parameter flattening order
//!
//! θ is one flat vector; the same order is used by the network's parameters
//! ([`Network::params`]), every gradient vector (full-batch, minibatch, SGN, the logs), the
//! tracked parameter indices, and the blocks of [`PerSampleGrads`]:
//!
//! 1. layers in forward order (input to output); layers without parameters contribute nothing;
//! 2. inside a dense layer y = W a + b (W: fan_out × fan_in): W row-major, i.e. index
//!    `o·fan_in + i` holds W[o, i], followed by the fan_out biases;
//! 3. inside a convolution (W: O × C × k × k): W in row-major (o, c, u, v) order, followed by the
//!    O biases.
//!
//! For the default FCN 784→100→100→10 that is W₁ (78,400), b₁ (100), W₂ (10,000), b₂ (100),
//! W₃ (1,000), b₃ (10): P = 89,610. [`Network::param_blocks`] gives each layer's range and
//! [`Network::param_groups`] names them (`fc1.weight`, `fc1.bias`, …, PyTorch style).

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fcn_flattening_ranges() {
        let net = Network::<f32>::zeros(ModelSpec::default().layers(784, None, 10).unwrap()).unwrap();
        let g = net.param_groups();
        let names: Vec<&str> = g.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "fc1.weight",
                "fc1.bias",
                "fc2.weight",
                "fc2.bias",
                "fc3.weight",
                "fc3.bias"
            ]
        );
        let ranges: Vec<_> = g.iter().map(|x| (x.range.start, x.range.end)).collect();
        assert_eq!(
            ranges,
            [
                (0, 78400),
                (78400, 78500),
                (78500, 88500),
                (88500, 88600),
                (88600, 89600),
                (89600, 89610)
            ]
        );
        let spec = ModelSpec::Lenet {
            activation: ActivationKind::Relu,
        };
        let img = Some(crate::data::ImageShape {
            channels: 1,
            rows: 28,
            cols: 28,
        });
        let lenet = Network::<f32>::zeros(spec.layers(784, img, 10).unwrap()).unwrap();
        let g = lenet.param_groups();
        assert_eq!(g[0].shape, vec![6, 1, 5, 5]);
        assert_eq!(g.last().map(|x| x.range.end), Some(44_426));
    }
}

pub mod activation;
pub mod conv;
pub mod dense;
pub mod grad;
pub mod linalg;
pub mod loss;
pub mod network;
pub mod per_sample;
pub mod pool;
pub mod scalar;

pub use activation::{Activation, ActivationKind};
pub use conv::Conv2d;
pub use dense::Dense;
pub use grad::{draw_minibatch, full_batch_grad, minibatch_grad, per_sample_grads, sgn, GradEval, Sgn};
pub use loss::LossKind;
pub use network::{InitKind, Layer, ModelSpec, Network, ParamGroup, Sink, Tape};
pub use per_sample::{GradBlock, PerSampleGrads};
pub use pool::MaxPool2;
pub use scalar::Scalar;

use thiserror::Error;

/// Errors of network construction and gradient measurement.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum NnError {
    #[error("shape error: {0}")]
    Shape(String),
    #[error("the data has {data} features but the network expects {net}")]
    InputDim { data: usize, net: usize },
    #[error("the data has {data} classes but the network has {net} outputs")]
    Classes { data: usize, net: usize },
    #[error("sample index {index} out of range (n = {n})")]
    Index { index: usize, n: usize },
    #[error("empty sample set")]
    Empty,
    #[error("invalid argument: {0}")]
    Invalid(String),
}
