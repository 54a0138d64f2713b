//! Datasets: the MNIST subset (default), scikit-learn's 8×8 digits and two small tables, synthetic
//! data; seeded train/test splits, per-feature standardisation fitted on the training part, label
//! manipulations (symmetric noise, shuffled labels), and the readers for text and `.npy` input.
//!
//! The library never touches the filesystem: every decoder takes bytes (the page fetches the
//! assets lazily, the CLI and the tests read files). Every random draw comes from
//! [`crate::rng::substream`] of a user-visible seed, one stream per purpose ([`streams`]).

pub mod bundle;
pub mod images;
pub mod mnist;
pub mod npy;
pub mod npz;
pub mod spec;
pub mod synthetic;
pub mod tabular;
pub mod text;

pub use spec::DatasetSpec;

use crate::rng::substream;
use ndarray::{Array2, ArrayView2};
use rand::RngExt;
use thiserror::Error;

/// Stream ids passed to [`crate::rng::substream`] so that each purpose has its own random numbers.
pub mod streams {
    /// Train/test split permutation.
    pub const SPLIT: u64 = 0x5350_4c49;
    /// Symmetric label noise.
    pub const LABEL_NOISE: u64 = 0x4e4f_4953;
    /// Shuffled ("random") labels.
    pub const RANDOM_LABELS: u64 = 0x5241_4e44;
    /// Synthetic data generation.
    pub const SYNTHETIC: u64 = 0x5359_4e54;
    /// Sub-sampling a dataset.
    pub const SUBSET: u64 = 0x5355_4253;
}

/// Why a dataset could not be decoded, built or transformed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum DataError {
    #[error("not a gzip stream or corrupt compressed data: {0}")]
    Gzip(String),
    #[error("bad magic bytes: expected {expected:?}, found {found:?}")]
    BadMagic { expected: String, found: String },
    #[error("unsupported format version {0}")]
    UnsupportedVersion(u16),
    #[error("truncated data: needed {needed} bytes, found {found}")]
    Truncated { needed: usize, found: usize },
    #[error("{extra} unexpected bytes after the end of the data")]
    TrailingBytes { extra: usize },
    #[error("invalid header: {0}")]
    BadHeader(String),
    #[error("sample {index}: label {label} is not below the number of classes {n_classes}")]
    BadLabel { index: usize, label: u32, n_classes: usize },
    #[error("sample {index}: feature {feature} is not finite")]
    NonFinite { index: usize, feature: usize },
    #[error("CSV: {0}")]
    Csv(String),
    #[error("dataset is too large: {0}")]
    TooLarge(String),
    #[error("invalid parameter: {0}")]
    InvalidParam(String),
    #[error("datasets do not match: {0}")]
    Mismatch(String),
}

/// Image geometry of a dataset whose features are pixels (channel-major, then row-major).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImageShape {
    pub channels: usize,
    pub rows: usize,
    pub cols: usize,
}

/// A classification dataset held in memory.
///
/// The features are an `n × d` [`Array2<f32>`], one sample per row; n and d are its shape
/// ([`Dataset::n`], [`Dataset::d`]), so they cannot disagree with the buffer. The array is private
/// so that it stays in standard layout (row-major, contiguous: it is built only by
/// [`Dataset::new`] and changed only in place), which is what lets [`Dataset::features`] and
/// [`Dataset::row`] hand the engine's fixed-order kernels plain slices without a check or a copy.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Human-readable name shown in reports (e.g. `"mnist-10k/train"`).
    pub name: String,
    /// Number of classes; every label is `< n_classes`.
    pub n_classes: usize,
    /// `n × d` features, one sample per row, standard layout.
    x: Array2<f32>,
    /// `n` labels.
    pub y: Vec<u32>,
    /// Present when the features are an image (then `d = channels·rows·cols`).
    pub image: Option<ImageShape>,
}

/// Bytes of `n` samples of `d` features as a [`Dataset`] holds them: `n (4 d + 4)` (f32
/// features, u32 labels). The memory estimates count every dataset copy with it (the data's
/// `experiment::memory::data_bytes`, the trainer's copy in `train::estimate_memory`).
pub fn dataset_bytes(n: u128, d: u128) -> u128 {
    n * (4 * d + 4)
}

/// `x` (row-major, `x.len() = n·d`) as the `n × d` feature array, without a copy.
fn feature_array(n: usize, d: usize, x: Vec<f32>) -> Result<Array2<f32>, DataError> {
    let len = x.len();
    Array2::from_shape_vec((n, d), x)
        .map_err(|e| DataError::Mismatch(format!("{len} features for {n} samples of dimension {d}: {e}")))
}

impl Dataset {
    /// Builds a dataset, checking sizes, labels and finiteness.
    pub fn new(
        name: impl Into<String>,
        d: usize,
        n_classes: usize,
        x: Vec<f32>,
        y: Vec<u32>,
        image: Option<ImageShape>,
    ) -> Result<Self, DataError> {
        let n = y.len();
        if d == 0 {
            return Err(DataError::InvalidParam("a dataset needs at least one feature".into()));
        }
        if n_classes < 2 {
            return Err(DataError::InvalidParam(format!(
                "need at least 2 classes, got {n_classes}"
            )));
        }
        if x.len()
            != n.checked_mul(d)
                .ok_or_else(|| DataError::TooLarge("n·d overflows".into()))?
        {
            return Err(DataError::Mismatch(format!(
                "{} features for {n} samples of dimension {d}",
                x.len()
            )));
        }
        if let Some(s) = image {
            if s.channels * s.rows * s.cols != d {
                return Err(DataError::Mismatch(format!(
                    "image shape {s:?} does not have {d} pixels"
                )));
            }
        }
        for (index, &label) in y.iter().enumerate() {
            if label as usize >= n_classes {
                return Err(DataError::BadLabel {
                    index,
                    label,
                    n_classes,
                });
            }
        }
        if let Some(pos) = x.iter().position(|v| !v.is_finite()) {
            return Err(DataError::NonFinite {
                index: pos / d,
                feature: pos % d,
            });
        }
        Ok(Dataset {
            name: name.into(),
            n_classes,
            x: feature_array(n, d, x)?,
            y,
            image,
        })
    }

    /// Number of samples (rows of the feature array).
    pub fn n(&self) -> usize {
        self.x.nrows()
    }

    /// Number of features per sample (columns of the feature array).
    pub fn d(&self) -> usize {
        self.x.ncols()
    }

    /// The `n × d` features, one sample per row.
    pub fn x(&self) -> ArrayView2<'_, f32> {
        self.x.view()
    }

    /// The `n × d` features as one row-major slice (sample j at `j·d..(j + 1)·d`), for the
    /// engine's kernels.
    pub fn features(&self) -> &[f32] {
        // Standard layout by construction (type doc): `new` builds it with `from_shape_vec`, and
        // nothing re-lays it out.
        self.x
            .as_slice()
            .expect("Dataset::x is in standard layout by construction")
    }

    /// Re-checks the invariants [`Dataset::new`] establishes that the public fields can break
    /// (the shape n × d of the features cannot): `y.len() = n`, labels `< n_classes`, image
    /// geometry. O(n); finiteness is not re-checked.
    pub fn validate(&self) -> Result<(), DataError> {
        let (n, d) = self.x.dim();
        if self.y.len() != n || d == 0 {
            return Err(DataError::Mismatch(format!(
                "n = {n}, d = {d}, but {} labels",
                self.y.len()
            )));
        }
        if let Some(s) = self.image {
            if s.channels * s.rows * s.cols != d {
                return Err(DataError::Mismatch(format!(
                    "image shape {s:?} does not have {d} pixels"
                )));
            }
        }
        if self.n_classes < 2 {
            return Err(DataError::InvalidParam(format!(
                "need at least 2 classes, got {}",
                self.n_classes
            )));
        }
        if let Some((index, &label)) = self.y.iter().enumerate().find(|(_, &l)| l as usize >= self.n_classes) {
            return Err(DataError::BadLabel {
                index,
                label,
                n_classes: self.n_classes,
            });
        }
        Ok(())
    }

    /// Features of sample `j` (panics if `j ≥ n`; use on validated datasets).
    pub fn row(&self, j: usize) -> &[f32] {
        let d = self.d();
        &self.features()[j * d..(j + 1) * d]
    }

    /// The samples at `indices` (in that order), as a new dataset. Out-of-range indices are an error.
    pub fn select(&self, indices: &[usize], name: impl Into<String>) -> Result<Dataset, DataError> {
        self.validate()?;
        let (n, d) = self.x.dim();
        let mut x = Vec::with_capacity(indices.len() * d);
        let mut y = Vec::with_capacity(indices.len());
        for &j in indices {
            if j >= n {
                return Err(DataError::InvalidParam(format!(
                    "sample index {j} out of range (n = {n})"
                )));
            }
            x.extend_from_slice(self.row(j));
            y.push(self.y[j]);
        }
        Ok(Dataset {
            name: name.into(),
            n_classes: self.n_classes,
            x: feature_array(indices.len(), d, x)?,
            y,
            image: self.image,
        })
    }

    /// Seeded train/test split: a uniformly random permutation (stream [`streams::SPLIT`]); the
    /// first `n_train` samples of it form the training set, the next `n_test` the test set.
    pub fn split(&self, n_train: usize, n_test: usize, seed: u64) -> Result<(Dataset, Dataset), DataError> {
        if n_train == 0 || n_test == 0 || n_train.saturating_add(n_test) > self.n() {
            return Err(DataError::InvalidParam(format!(
                "split {n_train} + {n_test} needs 1 ≤ each and a total ≤ n = {}",
                self.n()
            )));
        }
        let perm = permutation(self.n(), seed, streams::SPLIT);
        let train = self.select(&perm[..n_train], format!("{}/train", self.name))?;
        let test = self.select(&perm[n_train..n_train + n_test], format!("{}/test", self.name))?;
        Ok((train, test))
    }

    /// A seeded random subset of `n` samples (stream [`streams::SUBSET`]), order randomised.
    pub fn subset(&self, n: usize, seed: u64) -> Result<Dataset, DataError> {
        if n == 0 || n > self.n() {
            return Err(DataError::InvalidParam(format!(
                "subset of {n} from {} samples",
                self.n()
            )));
        }
        let perm = permutation(self.n(), seed, streams::SUBSET);
        self.select(&perm[..n], format!("{}[{n}]", self.name))
    }

    /// Symmetric label noise at rate `p` (Han et al. 2018): each label independently, with
    /// probability `p`, is replaced by a class drawn uniformly among the *other* `K − 1` classes.
    /// Returns the dataset and the number of labels changed. Stream [`streams::LABEL_NOISE`].
    pub fn with_label_noise(&self, p: f64, seed: u64) -> Result<(Dataset, usize), DataError> {
        if !(0.0..=1.0).contains(&p) {
            return Err(DataError::InvalidParam(format!(
                "label-noise rate {p} is not in [0, 1]"
            )));
        }
        if self.n_classes < 2 {
            return Err(DataError::InvalidParam(format!(
                "label noise needs at least 2 classes, got {}",
                self.n_classes
            )));
        }
        let mut rng = substream(seed, streams::LABEL_NOISE);
        let k = self.n_classes as u32;
        let mut out = self.clone();
        let mut changed = 0;
        for y in out.y.iter_mut() {
            let u: f64 = rng.random();
            let r: u32 = rng.random_range(0..k - 1); // u32: same draws on every platform
            if u < p {
                *y = if r >= *y { r + 1 } else { r };
                changed += 1;
            }
        }
        out.name = format!("{}+noise{p}", self.name);
        Ok((out, changed))
    }

    /// "Random labels" (Zhang et al. 2017, as in the paper's MNIST experiment): the labels are
    /// shuffled by a uniformly random permutation, so class frequencies are kept but every
    /// relation between input and label is destroyed. Stream [`streams::RANDOM_LABELS`].
    pub fn with_random_labels(&self, seed: u64) -> Dataset {
        let perm = permutation(self.n(), seed, streams::RANDOM_LABELS);
        let mut out = self.clone();
        out.y = perm.iter().map(|&j| self.y[j]).collect();
        out.name = format!("{}+randomlabels", self.name);
        out
    }

    /// Counts of each class.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut c = vec![0; self.n_classes];
        for &y in &self.y {
            c[y as usize] += 1;
        }
        c
    }
}

/// A uniformly random permutation of `0..n` by Fisher–Yates on `substream(seed, stream)`.
pub fn permutation(n: usize, seed: u64, stream: u64) -> Vec<usize> {
    let mut rng = substream(seed, stream);
    let mut p: Vec<usize> = (0..n).collect();
    shuffle(&mut p, &mut rng);
    p
}

/// Fisher–Yates shuffle (the exact draw sequence is part of the reproducibility contract;
/// indices are drawn as u64 so that 32-bit wasm and 64-bit native draw the same numbers).
pub fn shuffle<T>(v: &mut [T], rng: &mut crate::rng::SeededRng) {
    for i in (1..v.len()).rev() {
        let j = rng.random_range(0..=i as u64) as usize;
        v.swap(i, j);
    }
}

/// One standard normal draw by the Box–Muller transform with the pure-Rust `libm`
/// (z = √(−2 ln u₁)·cos(2π u₂), u₁ ∈ (0, 1], u₂ ∈ [0, 1); two uniforms per draw), so that the
/// same seed gives bit-identical draws natively and in wasm32 (`rand_distr`'s ziggurat calls the
/// platform's `exp`/`ln`).
pub fn standard_normal(rng: &mut crate::rng::SeededRng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>();
    let u2 = rng.random::<f64>();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
}

/// Per-feature standardisation x ↦ (x − μ)/σ with μ, σ (population standard deviation) fitted
/// on the training set only. A feature with σ < 1e-6 (e.g. an always-black MNIST border pixel)
/// gets σ := 1, so it maps to 0 on the training set.
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
}

impl Standardizer {
    /// Fits μ and σ per feature (accumulated in f64).
    pub fn fit(train: &Dataset) -> Result<Standardizer, DataError> {
        train.validate()?;
        if train.n() == 0 {
            return Err(DataError::InvalidParam(
                "cannot fit a standardizer on an empty dataset".into(),
            ));
        }
        let d = train.d();
        let mut s1 = vec![0f64; d];
        let mut s2 = vec![0f64; d];
        for j in 0..train.n() {
            for (f, &v) in train.row(j).iter().enumerate() {
                s1[f] += v as f64;
                s2[f] += (v as f64) * (v as f64);
            }
        }
        let n = train.n() as f64;
        let mut mean = Vec::with_capacity(d);
        let mut std = Vec::with_capacity(d);
        for f in 0..d {
            let m = s1[f] / n;
            let var = (s2[f] / n - m * m).max(0.0);
            let s = var.sqrt();
            mean.push(m as f32);
            std.push(if s < 1e-6 { 1.0 } else { s as f32 });
        }
        Ok(Standardizer { mean, std })
    }

    /// Applies the transform in place. Near f32::MAX, `v − μ` can overflow in f32 although the
    /// standardised value is small; such values are computed in f64 instead (every other value
    /// is unchanged). A standardised value that does not fit in f32 at all (a test value far
    /// outside a near-constant training feature) is a [`DataError::NonFinite`].
    pub fn apply(&self, ds: &mut Dataset) -> Result<(), DataError> {
        ds.validate()?;
        if ds.d() != self.mean.len() {
            return Err(DataError::Mismatch(format!(
                "standardizer has {} features, dataset {}",
                self.mean.len(),
                ds.d()
            )));
        }
        for (index, mut row) in ds.x.rows_mut().into_iter().enumerate() {
            for (feature, ((v, m), s)) in row.iter_mut().zip(&self.mean).zip(&self.std).enumerate() {
                let z = (*v - m) / s;
                *v = if z.is_finite() {
                    z
                } else {
                    ((*v as f64 - *m as f64) / *s as f64) as f32
                };
                if !v.is_finite() {
                    return Err(DataError::NonFinite { index, feature });
                }
            }
        }
        Ok(())
    }
}

/// How to turn a whole dataset into a standardised train/test pair.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PrepareParams {
    /// Training-set size (`None`: 80 % of the samples).
    pub n_train: Option<usize>,
    /// Test-set size (`None`: all remaining samples).
    pub n_test: Option<usize>,
    /// Per-feature standardisation fitted on the training set.
    pub standardize: bool,
    /// Symmetric label-noise rate applied to the training labels only (0 = none).
    pub label_noise: f64,
    /// Shuffle the training labels (applied after label noise).
    pub random_labels: bool,
    /// Seed for the split and the label manipulations.
    pub seed: u64,
}

impl Default for PrepareParams {
    fn default() -> Self {
        PrepareParams {
            n_train: None,
            n_test: None,
            standardize: true,
            label_noise: 0.0,
            random_labels: false,
            seed: 0,
        }
    }
}

/// Split → (label noise, random labels on the training part) → standardise (fitted on train).
pub fn prepare(all: &Dataset, p: &PrepareParams) -> Result<(Dataset, Dataset), DataError> {
    let n_train = p.n_train.unwrap_or((all.n() * 4) / 5);
    let n_test = p.n_test.unwrap_or(all.n().saturating_sub(n_train));
    let (mut train, mut test) = all.split(n_train, n_test, p.seed)?;
    if p.label_noise > 0.0 {
        train = train.with_label_noise(p.label_noise, p.seed)?.0;
    } else if !(0.0..=1.0).contains(&p.label_noise) {
        return Err(DataError::InvalidParam(format!(
            "label-noise rate {} is not in [0, 1]",
            p.label_noise
        )));
    }
    if p.random_labels {
        train = train.with_random_labels(p.seed);
    }
    if p.standardize {
        let s = Standardizer::fit(&train)?;
        s.apply(&mut train)?;
        s.apply(&mut test)?;
    }
    Ok((train, test))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy(n: usize) -> Dataset {
        let x: Vec<f32> = (0..n * 2).map(|i| i as f32).collect();
        let y: Vec<u32> = (0..n).map(|i| (i % 3) as u32).collect();
        Dataset::new("toy", 2, 3, x, y, None).unwrap()
    }

    #[test]
    fn split_is_disjoint_and_seeded() {
        let ds = toy(30);
        let (a, b) = ds.split(20, 10, 5).unwrap();
        let (a2, _) = ds.split(20, 10, 5).unwrap();
        assert_eq!(a, a2);
        let mut firsts: Vec<i64> = a.x.column(0).iter().chain(&b.x.column(0)).map(|&v| v as i64).collect();
        firsts.sort();
        assert_eq!(firsts, (0..30).map(|i| 2 * i).collect::<Vec<_>>());
        assert!(ds.split(25, 10, 0).is_err());
    }

    #[test]
    fn label_noise_changes_about_p_and_never_keeps_the_class() {
        let ds = toy(3000);
        let (noisy, changed) = ds.with_label_noise(0.4, 1).unwrap();
        let diff = ds.y.iter().zip(&noisy.y).filter(|(a, b)| a != b).count();
        assert_eq!(diff, changed);
        assert!((diff as f64 / 3000.0 - 0.4).abs() < 0.04, "{diff}");
        assert!(ds.with_label_noise(1.5, 1).is_err());
    }

    #[test]
    fn random_labels_keep_class_counts() {
        let ds = toy(300);
        let r = ds.with_random_labels(3);
        assert_eq!(ds.class_counts(), r.class_counts());
        assert_ne!(ds.y, r.y);
    }

    /// Fuzz finding (`dataset_assets` target, seed `wine_huge_values`): features near f32::MAX
    /// made `v − μ` overflow in f32, so standardisation put +inf into a dataset that passed
    /// every check; and a test value far outside a near-constant training feature cannot be
    /// represented at all. The first is computed in f64, the second is a typed error.
    #[test]
    fn standardizer_never_writes_non_finite_features() {
        let x = vec![3.4e38f32, 1.0, -3.4e38, 2.0, -3.4e38, 3.0, 3.0e38, 4.0];
        let mut ds = Dataset::new("huge", 2, 2, x, vec![0, 1, 0, 1], None).unwrap();
        let s = Standardizer::fit(&ds).unwrap();
        s.apply(&mut ds).unwrap();
        assert!(ds.x.iter().all(|v| v.is_finite()), "{:?}", ds.x);
        let m: f64 = ds.x.column(0).iter().map(|&v| v as f64).sum::<f64>() / 4.0;
        assert!(m.abs() < 1e-5, "{m}");
        let flat = Dataset::new("flat", 1, 2, vec![1.0, 1.0 + 1e-5, 1.0], vec![0, 1, 0], None).unwrap();
        let s = Standardizer::fit(&flat).unwrap();
        let mut far = Dataset::new("far", 1, 2, vec![3.0e38], vec![0], None).unwrap();
        assert_eq!(s.apply(&mut far), Err(DataError::NonFinite { index: 0, feature: 0 }));
    }

    #[test]
    fn standardizer_gives_zero_mean_unit_variance_on_train() {
        let mut ds = toy(50);
        let s = Standardizer::fit(&ds).unwrap();
        s.apply(&mut ds).unwrap();
        let m: f64 = ds.x.column(0).iter().map(|&v| v as f64).sum::<f64>() / 50.0;
        let v: f64 = ds.x.column(0).iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>() / 50.0;
        assert!(m.abs() < 1e-5 && (v - 1.0).abs() < 1e-4);
    }
}
