//! The presets: each tests one claim of Xie et al. (2023) (or of the lab's mechanism demo,
//! DESIGN §4) and carries that claim in one sentence. [`run_preset`](super::run::run_preset)
//! runs them; `paper-tour` runs them all.

use serde::Serialize;

/// A preset's description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PresetInfo {
    pub name: &'static str,
    pub title: &'static str,
    /// The claim tested, in one sentence.
    pub claim: &'static str,
    /// Where the claim comes from (see `reference/paper.md` for the provenance tags).
    pub source: &'static str,
    /// What the preset varies.
    pub varies: &'static str,
}

/// Every preset, in tour order (`paper-tour` last).
pub const PRESETS: &[PresetInfo] = &[
    PresetInfo {
        name: "heavy-tails",
        title: "Heavy tails: dimension-wise vs iteration-wise (Table A)",
        claim: "Dimension-wise stochastic gradients usually have power-law heavy tails, while iteration-wise gradients and the SGN caused by minibatch sampling usually do not.",
        source: "Xie et al. 2023, abstract and contribution 1 [P]",
        varies: "nothing; the trained default network, tested with the paper's rule and with Clauset's",
    },
    PresetInfo {
        name: "sgn-batch",
        title: "SGN at a frozen θ across batch sizes",
        claim: "Iteration-wise SGN (minibatch gradient minus full-batch gradient at the same θ) is not power-law, and larger batches make it more Gaussian, not heavier-tailed.",
        source: "Xie et al. 2023, abstract [P]; Gaussian-like iteration-wise noise [R]",
        varies: "the minibatch size B of the draws at the trained θ",
    },
    PresetInfo {
        name: "spectrum",
        title: "Covariance spectrum: trained vs initial vs Gaussian baseline (Table B)",
        claim: "The covariance spectrum of stochastic gradients is a power law λ_k ∝ k^(−s) with s of order 1, unlike the flat spectrum of isotropic Gaussian noise.",
        source: "Xie et al. 2023, contribution 2 [P]; baseline contrast [I]",
        varies: "training state (θ₀ and trained) against an i.i.d. Gaussian matrix of the same shape and trace",
    },
    PresetInfo {
        name: "batch-sweep",
        title: "Batch-size sweep",
        claim: "The power-law covariance structure holds across batch sizes: B only shifts the spectrum by (N − B)/(B(N − 1)), the exponent ŝ stays about the same.",
        source: "Xie et al. 2023 via review, 'universal across batch sizes' [R]; sibling Fig. 27 [S]",
        varies: "training batch size B (same epochs)",
    },
    PresetInfo {
        name: "labels",
        title: "Clean vs random labels vs 40 % label noise",
        claim: "The power-law covariance spectrum is a property of trained networks that persists under random labels and label noise (which add top outliers and may bend it).",
        source: "sibling paper Figs. 15, 17 [S] as the hypothesis; the gradient paper's outcome is unknown",
        varies: "training labels: clean, permuted, 40 % symmetric noise",
    },
    PresetInfo {
        name: "depth-width",
        title: "Depth 1/2/4 and width 10–100",
        claim: "The power-law covariance spectrum holds across model depths; very narrow networks (width ≈ 10) are the least power-law and wider ones straighter.",
        source: "Xie et al. 2023 via review, 'universal across models' [R]; sibling Fig. 26 [S]",
        varies: "hidden layers (1, 2, 4 of width 100) and width (10, 30, 100, one layer)",
    },
    PresetInfo {
        name: "non-image",
        title: "A non-image dataset",
        claim: "The power-law covariance spectrum also appears on non-image (tabular) data, so it is not an artifact of images.",
        source: "Xie et al. 2023 via review, 'even in non-image data' (Avila) [R]; here the breast-cancer table",
        varies: "dataset: breast-cancer table (30 features, 2 classes), FCN 30→100→100→2",
    },
    PresetInfo {
        name: "mechanism",
        title: "Mechanism demo: Gaussian per coordinate, power law when pooled",
        claim: "If g_t ~ N(0, diag(k^(−s))), every coordinate is Gaussian over iterations, yet the pooled coordinates are power-law with exponent 1 + 2/s; s = 0 removes the tail and a random rotation weakens it.",
        source: "lab's synthesis (DESIGN §4, reference §5.5 [I]/[C]); not a claim of the paper",
        varies: "s ∈ {0, 1, 1.5}, and s = 1 after a random rotation; no network",
    },
    PresetInfo {
        name: "subspace",
        title: "Subspace robustness (Davis–Kahan)",
        claim: "With a power-law spectrum the top eigendirections of the gradient covariance are robust (two independent estimates agree) while tail directions are not: learning happens in a robust low-dimensional subspace.",
        source: "Xie et al. 2023 (NeurIPS) via review [R]; Davis–Kahan argument of the sibling [S]",
        varies: "nothing; two disjoint halves of N_cov samples at the trained θ",
    },
    PresetInfo {
        name: "paper-tour",
        title: "Paper tour",
        claim: "All of the above, one preset at a time.",
        source: "all presets",
        varies: "runs every preset",
    },
];

/// The preset called `name`.
pub fn find(name: &str) -> Option<&'static PresetInfo> {
    PRESETS.iter().find(|p| p.name == name)
}

/// A reduced base configuration for quick runs and tests: 8×8 digits (1,000 train / 400 test),
/// FCN 64→32→10, B = 32, 2 epochs, m = 20 tracked parameters, snapshots off, 3 dimension-wise
/// draws, M = 60 draws, N_cov = 200. Presets vary their own knob on top of it.
pub fn reduced_base(seed: u64) -> super::ExperimentConfig {
    use super::config::*;
    use crate::data::DatasetSpec;
    use crate::nn::{ActivationKind, ModelSpec};
    ExperimentConfig {
        data: DataConfig { dataset: DatasetSpec::Digits8x8, n_train: Some(1000), n_test: Some(400), ..DataConfig::default() },
        model: ModelSpec::Fcn { hidden: vec![32], activation: ActivationKind::Relu },
        training: TrainingConfig { batch_size: 32, epochs: 2, ..TrainingConfig::default() },
        logging: LoggingConfig { n_tracked: 20, full_every: 0 },
        analysis: AnalysisConfig { draws: 60, dim_draws: 3, n_cov: 200, ..AnalysisConfig::default() },
        seed,
        ..ExperimentConfig::default()
    }
}
