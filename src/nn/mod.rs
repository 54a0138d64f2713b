//! Tiny neural networks: layers, activations, losses, forward/backward, per-sample gradients.

pub mod per_sample;

pub use per_sample::{GradBlock, PerSampleGrads};
