//! sgn-lab: trains tiny neural networks with minibatch SGD, captures their real gradients
//! (per-sample, minibatch, full-batch) and the stochastic gradient noise
//! ξ = g_B(θ) − ∇L(θ), and tests their structure as in Xie et al. (2023),
//! *On the Overlooked Structure of Stochastic Gradients* (arXiv 2212.02083).
//!
//! The numerical core (everything but `web`) is plain Rust with no browser types; it is the
//! same code natively (`cargo test`, the `sgn-lab` CLI) and in the page (wasm32).
//! See `docs/ARCHITECTURE.md` for the map and the data flow, `docs/PROTOCOL.md` for how every
//! test and fit is computed.

pub mod data;
pub mod experiment;
pub mod format;
pub mod libm_f64;
pub mod nn;
pub mod params;
pub mod plot;
pub mod rng;
pub mod spectrum;
pub mod stats;
pub mod train;

#[cfg(target_arch = "wasm32")]
pub mod web;
