//! What a run records: the per-step [`StepStats`] (the trainer's history) and the [`GradientLog`]
//! (all f64, flattening order of [`crate::nn`]), which holds:
//!
//! - the minibatch data-loss gradient g_t of m tracked parameters at every step;
//! - full vectors every k steps ([`GradSnapshot`]): g_t, ∇L(θ_t) and ξ_t = g_t − ∇L(θ_t);
//! - frozen-θ draws ([`FrozenDraws`]): M independent minibatches at one θ, on the tracked
//!   parameters (see `docs/PROTOCOL.md` §1).

use serde::{Deserialize, Serialize};

/// One training step's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StepStats {
    /// Index t of this step (0-based).
    pub step: u64,
    /// Epoch of this step (0-based).
    pub epoch: u64,
    /// Mean minibatch data loss L_B(θ_t) before the update.
    pub loss: f64,
    /// Minibatch accuracy at θ_t.
    pub accuracy: f64,
    /// η_t used for the update.
    pub lr: f64,
    /// ‖g_t‖₂ of the data-loss minibatch gradient.
    pub grad_norm: f64,
}

impl StepStats {
    /// Bytes of one step's record in the trainer's history.
    pub const BYTES: u64 = std::mem::size_of::<StepStats>() as u64;
}

/// Full vectors recorded at one step t.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradSnapshot {
    pub step: u64,
    /// Minibatch data-loss gradient g_t (the one the update used, before weight decay).
    pub g: Vec<f64>,
    /// Full-batch gradient ∇L(θ_t) over the training set.
    pub full: Vec<f64>,
    /// ξ_t = g_t − ∇L(θ_t).
    pub xi: Vec<f64>,
    pub batch_loss: f64,
    pub full_loss: f64,
}

/// M independent minibatch draws at one frozen θ, restricted to the tracked parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrozenDraws {
    /// θ = θ_step (before that step's update).
    pub step: u64,
    pub batch_size: usize,
    pub draws: usize,
    /// Parameter indices (flattening order), the columns below.
    pub tracked: Vec<usize>,
    /// ∇L(θ) on the tracked parameters (length m).
    pub full: Vec<f64>,
    /// M × m: g_{B_r}(θ)[tracked], row r = draw r.
    pub g: Vec<f64>,
    /// M × m: ξ_r = g_{B_r}(θ) − ∇L(θ) on the tracked parameters.
    pub xi: Vec<f64>,
}

impl GradSnapshot {
    /// Bytes of one snapshot of P parameters: g_t, ∇L(θ_t) and ξ_t (f64 each).
    pub fn bytes(n_params: usize) -> u64 {
        3 * 8 * n_params as u64
    }
}

impl FrozenDraws {
    /// Bytes of M draws on m tracked parameters: g and ξ (M × m f64 each) and ∇L (m f64).
    pub fn bytes(draws: usize, m: usize) -> u64 {
        let (draws, m) = (draws as u64, m as u64);
        2 * 8 * draws * m + 8 * m
    }

    /// Column `i` of `xi`: the M SGN values of tracked parameter i (an iteration-wise sample).
    pub fn xi_series(&self, i: usize) -> Vec<f64> {
        let m = self.tracked.len();
        if i >= m {
            return Vec::new();
        }
        self.xi.iter().skip(i).step_by(m.max(1)).copied().collect()
    }
}

/// Everything recorded during a run (all f64, flattening order of [`crate::nn`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct GradientLog {
    pub n_params: usize,
    /// The m tracked parameter indices.
    pub tracked: Vec<usize>,
    /// Step index of each row of `tracked_grads`.
    pub steps: Vec<u64>,
    /// T × m: g_t[tracked[i]] at row t (data-loss minibatch gradient).
    pub tracked_grads: Vec<f64>,
    /// Full vectors every k steps.
    pub snapshots: Vec<GradSnapshot>,
    /// Frozen-θ draws.
    pub frozen: Vec<FrozenDraws>,
}

impl GradientLog {
    /// Bytes one logged step adds: g_t of the m tracked parameters (f64) and its step index.
    pub fn step_bytes(m: usize) -> u64 {
        8 * m as u64 + 8
    }

    /// The series g_t[tracked[i]] over the recorded steps (an iteration-wise sample).
    pub fn tracked_series(&self, i: usize) -> Vec<f64> {
        let m = self.tracked.len();
        if i >= m {
            return Vec::new();
        }
        self.tracked_grads.iter().skip(i).step_by(m).copied().collect()
    }

    /// FNV-1a fingerprint of every number in the log.
    pub fn fingerprint(&self) -> u64 {
        use crate::nn::network::{fingerprint_f64, FNV_OFFSET};
        let mut h = FNV_OFFSET;
        let idx: Vec<f64> = self.tracked.iter().map(|&i| i as f64).collect();
        h = fingerprint_f64(h, &idx);
        h = fingerprint_f64(h, &self.tracked_grads);
        for s in &self.snapshots {
            h = fingerprint_f64(h, &[s.step as f64, s.batch_loss, s.full_loss]);
            h = fingerprint_f64(h, &s.g);
            h = fingerprint_f64(h, &s.xi);
        }
        for f in &self.frozen {
            h = fingerprint_f64(h, &f.g);
            h = fingerprint_f64(h, &f.xi);
        }
        h
    }
}
