//! The memory estimate of an experiment, known before anything is allocated: the data
//! ([`data_bytes`]), the training (`train::estimate_memory`) and the measurement
//! ([`measurement_bytes`]), each an upper bound derived from the code that allocates (proved by a
//! counting allocator in `tests/memory_estimate.rs`); and, when a measurement would exceed the
//! cap, the search for the setting that drives it and the largest value of that setting that
//! fits ([`fit_measurement`]): the estimate is a function of the configuration only, so the
//! largest value is found exactly, by bisection over the ranges where it is monotone.

use super::config::ExperimentConfig;
use super::error::{Fit, FitSetting};
use crate::train::TrainConfig;

pub(crate) const F64: u64 = 8;

/// Upper bound of the bytes [`ExperimentConfig::prepare_data`](super::ExperimentConfig::prepare_data) allocates, known before anything
/// is loaded (checked against `memory_cap` there, and part of [`CheckedConfig::memory_estimate`](super::CheckedConfig::memory_estimate)).
/// A dataset of `n` samples and `d` features is `n (4 d + 4)` bytes (f32 features, u32 labels);
/// [`crate::data::prepare`] holds the whole set (n), the split (n_train + n_test, each at most n)
/// and, with label noise or random labels, a relabelled copy of the training part (n_train):
/// `(4 d + 4)(n + n_train + n_test [+ n_train])`, the split's permutation (8 n) and the
/// standardiser's means and scales (16 d). On top:
/// - asset images (MNIST 10,000 × 784, 8×8 digits 1,797 × 64): the gunzipped bytes, `n (d + 1)`
///   plus a 4 KiB header, twice for `read_to_end`'s doubling growth; a 2× downsampled copy
///   `n (d/4 · 4 + 4)`;
/// - tables (569 × 30, 178 × 13): the parsed f64 cells `8 n d` twice (values and rows);
/// - synthetic: the class means `8 K d`; the teacher's f64 network `8 (d h + h + h K + K)` and
///   one 512-row f64 chunk of input, hidden and output activations `8 · 512 (d + 2 h + 2 K)`.
pub fn data_bytes(cfg: &ExperimentConfig) -> u64 {
    use crate::data::{dataset_bytes, DatasetSpec as S};
    let gz = |n: u128, d: u128| 2 * (n * (d + 1) + 4096);
    // (samples, features, decoding buffers) of the whole set. n, d, K and h of synthetic data
    // come from the URL or a config file, unchecked before loading: clamped to 2⁴⁰ (the estimate
    // then still exceeds any cap, ≤ 4 GiB) so that the u128 products below cannot overflow.
    let c = |x: usize| (x as u128).min(1 << 40);
    let (n, d, extra): (u128, u128, u128) = match &cfg.data.dataset {
        S::Mnist { downsample } => (
            10_000,
            784,
            gz(10_000, 784) + if *downsample > 1 { dataset_bytes(10_000, 196) } else { 0 },
        ),
        S::Digits8x8 => (1797, 64, gz(1797, 64)),
        S::BreastCancer => (569, 30, 2 * 8 * 570 * 32),
        S::Wine => (178, 13, 2 * 8 * 179 * 14),
        S::GaussianMixture(p) => (c(p.n), c(p.d), 8 * c(p.n_classes) * c(p.d)),
        S::Teacher(p) => {
            let (d, k, h) = (c(p.d), c(p.n_classes), c(p.hidden));
            (c(p.n), d, 8 * (d * h + h + h * k + k) + 8 * 512 * (d + 2 * h + 2 * k))
        }
    };
    let pp = cfg.prepare_params();
    // The split's sizes as `prepare` takes them (at most the whole set each; a split larger
    // than the set is refused by `Dataset::split` before copying).
    let n_train = pp.n_train.map_or(n * 4 / 5, |t| c(t).min(n));
    let n_test = pp.n_test.map_or(n.saturating_sub(n_train), |t| c(t).min(n));
    let relabel = if pp.label_noise > 0.0 || pp.random_labels {
        n_train
    } else {
        0
    };
    sat(dataset_bytes(n + n_train + n_test + relabel, d) + 8 * n + 16 * d + extra)
}

fn sat(x: u128) -> u64 {
    u64::try_from(x).unwrap_or(u64::MAX)
}

/// Upper bound of the bytes [`crate::experiment::measure::measure`] allocates besides the
/// trainer, for the checked training config `tc` (P parameters, N training samples, T logged
/// steps = total steps, m tracked, M = `draws`, R = `dim_draws`, N_c = `n_cov`). Every buffer of
/// one stage is counted as live at once, and the stages are added (results of earlier stages are
/// kept to the end of `measure`); all values f64:
/// - **dimension-wise**: ∇L(θ) (P), per draw g_B and ξ (2P), |x| for the tail test (P) and the
///   Gaussianity tests' sorted copy (P), the kept first pair (2P), the minibatch draw's index
///   pool (N usize): `8 (7P + N)`;
/// - **iteration-wise**: the N × m tracked per-sample matrix with one chunk of full per-sample
///   gradients ([`crate::nn::grad::per_sample_bytes_of_layers`] of min(512, N)) and its index list (N), the M draws of g and
///   ξ (2Mm) and their m columns (Mm), the log's m columns of T steps (Tm), the two examples and
///   their tail copies (2M + 2T), a bootstrap replicate's synthetic sample and its sorted copy
///   (4M + 4T): `8 (Nm + N + 3Mm + Tm + 6M + 6T + m)` + chunk;
/// - **spectrum** (N_c ≥ 2): the sample permutation (N usize), the per-sample gradients of N_c
///   samples ([`crate::nn::grad::per_sample_bytes_of_layers`]), the Gram K (N_c²) and the largest of
///   - its construction: two N_c² syrk buffers (`gram::gram`) and the product's workspace for the
///     widest factor ([`product_scratch_bytes`](crate::spectrum::gram::product_scratch_bytes));
///   - the spectrum: the centred copy (N_c²) and [`evd_bytes`](crate::spectrum::eigen::evd_bytes)`(N_c)`;
///   - the Gaussian baseline (P = d): the N_c × P matrix when N_c·P ≤
///     [`MAX_MATERIALISED`](crate::spectrum::marchenko_pastur::MAX_MATERIALISED) or P < N_c, else
///     the Bartlett factor (N_c²); its Gram (N_c²) and the product's workspace; then the eigenvalues of the centred Gram
///     (`evd_bytes(N_c)`);
///   - Davis–Kahan (`davis_kahan_top` > 0, N_c ≥ 4): the three centred half blocks (¾ N_c²), the two
///     halves' eigenvectors (½ N_c²) and one half's decomposition with vectors
///     (`evd_bytes(N_c/2 + 1, true)` + its input copy), then the stacked Gram z, its eigenvectors,
///     W = QΛ^½, DW and M (5 N_c²) and the larger of M's product workspace and M's eigenvalues (`evd_bytes(N_c)`), or z's decomposition
///     with vectors (`evd_bytes(N_c, true)`), whichever is larger;
///
///   plus the eigenvalue lists, trace shares and fits (16 N_c).
pub fn measurement_bytes(cfg: &ExperimentConfig, tc: &TrainConfig) -> u64 {
    use crate::spectrum::eigen::evd_bytes;
    use crate::spectrum::gram::product_scratch_bytes;
    let a = &cfg.analysis;
    let p = tc.n_params as u64;
    let n = tc.n_train as u64;
    let m = cfg.logging.n_tracked.min(tc.n_params) as u64;
    let t = tc.total_steps;
    let draws = a.draws as u64;
    let dim = F64 * (7 * p + n);
    let chunk = crate::nn::grad::per_sample_bytes_of_layers(&tc.layers, tc.n_train.min(crate::nn::grad::CHUNK));
    let iter = F64 * (n * m + n + 3 * draws * m + t * m + 6 * draws + 6 * t + m) + chunk;
    let nc = a.n_cov.min(tc.n_train);
    let spectrum = if nc >= 2 {
        let c = nc as u64;
        let sq = c * c * F64;
        // The widest factor of a Gram product (dense layers: fan_in and fan_out; others: their block).
        let widest = tc
            .layers
            .iter()
            .map(|l| match l {
                crate::nn::Layer::Dense(d) => d.fan_in.max(d.fan_out),
                crate::nn::Layer::Conv(v) => v.n_params(),
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        let build = 2 * sq + product_scratch_bytes(nc, nc, widest);
        let spec = sq + evd_bytes(nc, false);
        let baseline = if a.baseline {
            let (x, k) = if c.saturating_mul(p) <= crate::spectrum::marchenko_pastur::MAX_MATERIALISED as u64 || p < c {
                (c * p * F64, tc.n_params)
            } else {
                (sq, nc)
            };
            (x + sq + product_scratch_bytes(nc, nc, k)).max(2 * sq + evd_bytes(nc, false))
        } else {
            0
        };
        let dk = if a.davis_kahan_top > 0 && nc >= 4 {
            let half = nc / 2 + 1;
            let blocks = 3 * sq / 4 + sq / 2;
            let first = (half as u64 * half as u64 * F64) + evd_bytes(half, true);
            let later =
                (5 * sq + evd_bytes(nc, false).max(product_scratch_bytes(nc, nc, nc))).max(sq + evd_bytes(nc, true));
            blocks + first.max(later)
        } else {
            0
        };
        F64 * n
            + crate::nn::grad::per_sample_bytes_of_layers(&tc.layers, nc)
            + sq
            + build.max(spec).max(baseline).max(dk)
            + 16 * F64 * c
    } else {
        0
    };
    dim + iter + spectrum
}

/// The values of N_cov (after capping at N) at which [`measurement_bytes`] may *drop* as N_cov
/// grows: its Gaussian baseline holds the N_cov × P matrix while N_cov·P ≤
/// [`MAX_MATERIALISED`](crate::spectrum::marchenko_pastur::MAX_MATERIALISED) or P < N_cov, and
/// the N_cov × N_cov Bartlett factor otherwise, so with the baseline on and t = ⌊MAX / P⌋ < P
/// the estimate can fall from t to t + 1. Every other term is non-decreasing in N_cov (the
/// per-sample gradients and the chunk are linear, the Gram and eigensolver terms grow with
/// N_cov², Davis–Kahan and the spectrum switch on at 4 and 2), so the estimate is non-decreasing
/// on `[0, t]` and on `[t + 1, ∞)` (checked against a scan of every value in
/// `tests/experiment_config.rs`).
fn n_cov_breaks(cfg: &ExperimentConfig, n_params: usize) -> Option<usize> {
    let t = crate::spectrum::marchenko_pastur::MAX_MATERIALISED / n_params.max(1);
    (cfg.analysis.baseline && t < n_params).then_some(t + 1)
}

impl FitSetting {
    /// Its value in `c`.
    pub fn get(self, c: &ExperimentConfig) -> usize {
        match self {
            FitSetting::NCov => c.analysis.n_cov,
            FitSetting::Draws => c.analysis.draws,
            FitSetting::Tracked => c.logging.n_tracked,
            FitSetting::DavisKahanTop => c.analysis.davis_kahan_top,
        }
    }

    /// Sets it in `c`.
    pub fn set(self, c: &mut ExperimentConfig, v: usize) {
        match self {
            FitSetting::NCov => c.analysis.n_cov = v,
            FitSetting::Draws => c.analysis.draws = v,
            FitSetting::Tracked => c.logging.n_tracked = v,
            FitSetting::DavisKahanTop => c.analysis.davis_kahan_top = v,
        }
    }
}

/// The largest `v` in `lo..=hi` with `ok(v)`, for `ok` true up to some value and false above it
/// (bisection); `None` when `ok(lo)` is false or `lo > hi`.
pub fn largest_true(lo: usize, hi: usize, ok: impl Fn(usize) -> bool) -> Option<usize> {
    if lo > hi || !ok(lo) {
        return None;
    }
    if ok(hi) {
        return Some(hi);
    }
    // ok(good) and !ok(bad) throughout.
    let (mut good, mut bad) = (lo, hi);
    while bad - good > 1 {
        let mid = good + (bad - good) / 2;
        if ok(mid) {
            good = mid;
        } else {
            bad = mid;
        }
    }
    Some(good)
}

/// `v` rounded down to a multiple of 100 (of 10 below 100; unchanged below 10).
pub fn round_down(v: usize) -> usize {
    match v {
        0..=9 => v,
        10..=99 => v / 10 * 10,
        _ => v / 100 * 100,
    }
}

/// Which setting to lower, and to what, when the measurement of `cfg` (its N_cov already capped
/// at N) would exceed `cfg.memory_cap`. `bytes(c)`: the estimate of data + training +
/// measurement of configuration `c` (`None` when its training cannot be built); `passes(c)`:
/// whether `c` passes the whole measurement check (ranges, the spectrum fit's rank, the cap);
/// `n_params`: P.
///
/// The driver is the setting whose least value saves the most bytes, among those whose least
/// value fits on its own (ties in the order of [`FitSetting::ALL`]), a setting of the
/// measurement alone before one that trains (m: lowering it needs a new run, and the M × m
/// draws shrink with M too); its largest value that fits
/// is found by bisection on each range where the estimate is monotone in it (one range for M, m
/// and Davis–Kahan, whose terms are linear or a switch; two for N_cov, split where its Gaussian baseline switches to the Bartlett factor), and
/// confirmed by `passes` (a value the spectrum fit's rank refuses falls back to the least value,
/// N_cov = 0). `None` when no single setting brings the measurement under the cap.
pub fn fit_measurement(
    cfg: &ExperimentConfig,
    n_params: usize,
    bytes: &dyn Fn(&ExperimentConfig) -> Option<u64>,
    passes: &dyn Fn(&ExperimentConfig) -> bool,
) -> Option<Fit> {
    let cap = cfg.memory_cap;
    let at = |s: FitSetting, v: usize| {
        let mut c = cfg.clone();
        s.set(&mut c, v);
        c
    };
    let cost = |s: FitSetting, v: usize| bytes(&at(s, v)).unwrap_or(u64::MAX);
    let now = bytes(cfg)?;
    let mut driver: Option<(FitSetting, u64)> = None;
    for s in FitSetting::ALL {
        if s.get(cfg) <= s.least() || (driver.is_some() && s.trains()) {
            continue;
        }
        let least = cost(s, s.least());
        if least <= cap && driver.is_none_or(|(_, saved)| now.saturating_sub(least) > saved) {
            driver = Some((s, now.saturating_sub(least)));
        }
    }
    let (s, _) = driver?;
    let value = s.get(cfg);
    let fits = |v: usize| cost(s, v) <= cap;
    let mut pieces = vec![(s.least(), value)];
    if s == FitSetting::NCov {
        if let Some(b) = n_cov_breaks(cfg, n_params).filter(|&b| b <= value) {
            pieces = vec![(s.least(), b - 1), (b, value)];
        }
    }
    let largest = pieces.iter().rev().find_map(|&(lo, hi)| largest_true(lo, hi, fits))?;
    let largest = if passes(&at(s, largest)) {
        largest
    } else if passes(&at(s, s.least())) {
        s.least()
    } else {
        return None;
    };
    let r = round_down(largest).max(s.least());
    let round = if r < largest && passes(&at(s, r)) { r } else { largest };
    Some(Fit {
        setting: s,
        field: s.field(),
        name: s.name(),
        value,
        largest,
        round,
    })
}
