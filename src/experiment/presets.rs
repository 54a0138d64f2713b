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
    /// What to look at in the result (shown by the page's tour).
    pub look: &'static str,
}

/// Every preset, in tour order (`paper-tour` last).
pub const PRESETS: &[PresetInfo] = &[
    PresetInfo {
        name: "heavy-tails",
        title: "Heavy tails: dimension-wise vs iteration-wise (Table A)",
        claim: "Dimension-wise stochastic gradients usually have power-law heavy tails, while iteration-wise gradients and the SGN caused by minibatch sampling usually do not.",
        source: "Xie et al. 2023, abstract and contribution 1 [P]",
        varies: "nothing; the trained default network, tested with the paper's rule and with Clauset's",
        look: "Table A: the dimension-wise rates should be high and the iteration-wise rates low. Then compare the rows of the two tail rules: the verdict depends on how the tail is chosen.",
    },
    PresetInfo {
        name: "sgn-batch",
        title: "SGN at a frozen θ across batch sizes",
        claim: "Iteration-wise SGN (minibatch gradient minus full-batch gradient at the same θ) is not power-law, and larger batches make it more Gaussian, not heavier-tailed.",
        source: "Xie et al. 2023, abstract [P]; Gaussian-like iteration-wise noise [R]",
        varies: "the minibatch size B of the draws at the trained θ",
        look: "The iteration-wise SGN power-law rate at each B, and whether the Gaussianity statistics (excess kurtosis, Shapiro–Wilk) move toward a normal as B grows.",
    },
    PresetInfo {
        name: "spectrum",
        title: "Covariance spectrum: trained vs initial vs Gaussian baseline (Table B)",
        claim: "The covariance spectrum of stochastic gradients is a power law λ_k ∝ k^(−s), unlike the flat spectrum of isotropic Gaussian noise.",
        source: "Xie et al. 2023, contribution 2 [P]; baseline contrast [I]",
        varies: "training state (θ₀ and trained) against an i.i.d. Gaussian matrix of the same shape and trace",
        look: "Table B: a straight line on the log–log rank plot with ŝ near 1 for the trained and initial networks, against the flat Marchenko–Pastur bulk of the Gaussian baseline. Note the K used by the fit.",
    },
    PresetInfo {
        name: "batch-sweep",
        title: "Batch-size sweep",
        claim: "The power-law covariance structure holds across batch sizes with about the same exponent ŝ; a larger batch only gives smaller eigenvalues.",
        source: "Xie et al. 2023 via review, 'universal across batch sizes' [R]; sibling Fig. 27, 'the larger the batch, the smaller the eigenvalues' [S]",
        varies: "training batch size B (same epochs)",
        look: "ŝ in Table B across the batch sizes: it should stay about the same while the scale of the spectrum shifts.",
    },
    PresetInfo {
        name: "labels",
        title: "Clean vs random labels vs 40 % label noise",
        claim: "The power-law covariance spectrum is a property of trained networks that persists under random labels and label noise (which add top outliers and may bend it).",
        source: "sibling paper Figs. 15, 17 [S] as the hypothesis; the gradient paper's outcome is unknown",
        varies: "training labels: clean, permuted, 40 % symmetric noise",
        look: "ŝ and the KS verdict for clean, random and noisy labels; random labels may add a few top outliers above the line.",
    },
    PresetInfo {
        name: "depth-width",
        title: "Depth 1/2/4 and width 10–100",
        claim: "The power-law covariance spectrum holds across model depths; very narrow networks (width ≈ 10) are the least power-law and wider ones straighter.",
        source: "Xie et al. 2023 via review, 'universal across models' [R]; sibling Fig. 26 [S]",
        varies: "hidden layers (1, 2, 4 of width 100) and width (10, 30, 100, one layer)",
        look: "ŝ and the KS verdict across depths, then across widths: the narrow network (width 10) should be the least straight.",
    },
    PresetInfo {
        name: "non-image",
        title: "A non-image dataset",
        claim: "The power-law covariance spectrum also appears on non-image (tabular) data, so it is not an artifact of images.",
        source: "Xie et al. 2023 via review, 'even in non-image data' (Avila) [R]; here the breast-cancer table",
        varies: "dataset: breast-cancer table (30 features, 2 classes), FCN 30→100→100→2",
        look: "The same Table B columns on tabular data: is the spectrum still a power law without images?",
    },
    PresetInfo {
        name: "mechanism",
        title: "Mechanism demo: Gaussian per coordinate, power law when pooled",
        claim: "If g_t ~ N(0, diag(k^(−s))), every coordinate is Gaussian over iterations, yet the pooled coordinates are power-law with exponent 1 + 2/s; s = 0 removes the tail and a random rotation weakens it.",
        source: "lab's synthesis (DESIGN §4, reference §5.5 [I]/[C]); not a claim of the paper",
        varies: "s ∈ {0, 1, 1.5}, and s = 1 after a random rotation; no network",
        look: "Every coordinate alone passes as Gaussian, yet the pooled values are power-law with exponent near 1 + 2/s; s = 0 and the rotated case should lose the tail.",
    },
    PresetInfo {
        name: "subspace",
        title: "Subspace robustness (Davis–Kahan)",
        claim: "With a power-law spectrum the top eigendirections of the gradient covariance are robust (two independent estimates agree) while tail directions are not: learning happens in a robust low-dimensional subspace.",
        source: "Xie et al. 2023 (NeurIPS) via review [R]; Davis–Kahan argument of the sibling [S]",
        varies: "nothing; two disjoint halves of N_cov samples at the trained θ",
        look: "The Davis–Kahan view: sin∠ between the top eigenvectors of two independent halves stays small, and grows along the tail where eigengaps shrink.",
    },
    PresetInfo {
        name: "paper-tour",
        title: "Paper tour",
        claim: "All of the above, one preset at a time.",
        source: "all presets",
        varies: "runs every preset",
        look: "Each preset's verdict line: agrees or differs, with the numbers that decide it.",
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
        data: DataConfig {
            dataset: DatasetSpec::Digits8x8,
            n_train: Some(1000),
            n_test: Some(400),
            ..DataConfig::default()
        },
        model: ModelSpec::Fcn {
            hidden: vec![32],
            activation: ActivationKind::Relu,
        },
        training: TrainingConfig {
            batch_size: 32,
            epochs: 2,
            ..TrainingConfig::default()
        },
        logging: LoggingConfig {
            n_tracked: 20,
            full_every: 0,
        },
        analysis: AnalysisConfig {
            draws: 60,
            dim_draws: 3,
            n_cov: 200,
            ..AnalysisConfig::default()
        },
        seed,
        ..ExperimentConfig::default()
    }
}
