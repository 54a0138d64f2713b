//! Synthetic classification data, every draw from `substream(seed, streams::SYNTHETIC)`.
//!
//! - **Gaussian mixture**: class means μ_k ~ N(0, s² I_d) (k = 0..K−1), labels uniform on
//!   0..K−1, x = μ_y + ε with ε ~ N(0, I_d). `separation = 0` gives pure Gaussian inputs whose
//!   labels carry no information (the paper's "Gaussian data with random labels").
//! - **Teacher network**: x ~ N(0, I_d); y = argmax of a randomly initialised teacher FCN
//!   (d → hidden → K, tanh, Xavier init, weights from `substream(seed, streams::SYNTHETIC + 1)`).

use super::standard_normal;
use super::{streams, DataError, Dataset};
use crate::nn::{ActivationKind, InitKind, ModelSpec, Network, Tape};
use crate::rng::substream;
use rand::RngExt;
use serde::{Deserialize, Serialize};

/// Parameters of [`gaussian_mixture`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MixtureParams {
    pub n: usize,
    pub d: usize,
    pub n_classes: usize,
    /// s, the standard deviation of the class means (0 = labels independent of x).
    pub separation: f64,
    pub seed: u64,
}

/// Parameters of [`teacher`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeacherParams {
    pub n: usize,
    pub d: usize,
    pub n_classes: usize,
    /// Teacher hidden width.
    pub hidden: usize,
    pub seed: u64,
}

fn check_sizes(n: usize, d: usize, k: usize) -> Result<(), DataError> {
    if n == 0 || d == 0 || !(2..=1000).contains(&k) {
        return Err(DataError::InvalidParam(format!(
            "n = {n}, d = {d}, classes = {k}: need n, d ≥ 1 and 2 ≤ classes ≤ 1000"
        )));
    }
    match n.checked_mul(d) {
        Some(v) if v <= 64 << 20 => Ok(()),
        _ => Err(DataError::TooLarge(format!("{n} × {d} features (cap 2^26 values)"))),
    }
}

/// A Gaussian mixture dataset (see the module doc).
pub fn gaussian_mixture(p: &MixtureParams) -> Result<Dataset, DataError> {
    check_sizes(p.n, p.d, p.n_classes)?;
    if !(p.separation >= 0.0 && p.separation <= 1e3) {
        return Err(DataError::InvalidParam(format!(
            "separation {} is not in [0, 1000]",
            p.separation
        )));
    }
    let mut rng = substream(p.seed, streams::SYNTHETIC);
    let mut means = vec![0f64; p.n_classes * p.d];
    for m in means.iter_mut() {
        *m = p.separation * standard_normal(&mut rng);
    }
    let mut x = Vec::with_capacity(p.n * p.d);
    let mut y = Vec::with_capacity(p.n);
    for _ in 0..p.n {
        let k = rng.random_range(0..p.n_classes as u64) as usize;
        for f in 0..p.d {
            x.push((means[k * p.d + f] + standard_normal(&mut rng)) as f32);
        }
        y.push(k as u32);
    }
    Dataset::new(
        format!("gaussian-mixture(K={}, d={}, s={})", p.n_classes, p.d, p.separation),
        p.d,
        p.n_classes,
        x,
        y,
        None,
    )
}

/// Inputs x ~ N(0, I) labelled by a random teacher network (see the module doc).
pub fn teacher(p: &TeacherParams) -> Result<Dataset, DataError> {
    check_sizes(p.n, p.d, p.n_classes)?;
    if !(1..=1024).contains(&p.hidden) {
        return Err(DataError::InvalidParam(format!(
            "teacher width {} is not in 1..=1024",
            p.hidden
        )));
    }
    let spec = ModelSpec::Fcn {
        hidden: vec![p.hidden],
        activation: ActivationKind::Tanh,
    };
    let net = Network::<f64>::init(
        &spec,
        p.d,
        None,
        p.n_classes,
        InitKind::Xavier,
        p.seed.wrapping_add(1) ^ streams::SYNTHETIC,
    )
    .map_err(|e| DataError::InvalidParam(e.to_string()))?;
    let mut rng = substream(p.seed, streams::SYNTHETIC);
    let mut x = Vec::with_capacity(p.n * p.d);
    for _ in 0..p.n * p.d {
        x.push(standard_normal(&mut rng) as f32);
    }
    let mut y = Vec::with_capacity(p.n);
    let mut tape = Tape::default();
    for chunk in x.chunks(512 * p.d) {
        let xb: Vec<f64> = chunk.iter().map(|&v| v as f64).collect();
        let b = chunk.len() / p.d;
        net.forward(&xb, b, &mut tape);
        if let Some(z) = tape.acts.last() {
            for row in z.chunks_exact(p.n_classes) {
                let mut arg = 0;
                for (i, &v) in row.iter().enumerate() {
                    if v > row[arg] {
                        arg = i;
                    }
                }
                y.push(arg as u32);
            }
        }
    }
    Dataset::new(
        format!("teacher(K={}, d={}, h={})", p.n_classes, p.d, p.hidden),
        p.d,
        p.n_classes,
        x,
        y,
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixture_and_teacher_are_seeded_and_use_all_classes() {
        let p = MixtureParams {
            n: 600,
            d: 5,
            n_classes: 3,
            separation: 2.0,
            seed: 4,
        };
        let a = gaussian_mixture(&p).unwrap();
        assert_eq!(a, gaussian_mixture(&p).unwrap());
        assert!(a.class_counts().iter().all(|&c| c > 150));
        let t = TeacherParams {
            n: 2000,
            d: 10,
            n_classes: 4,
            hidden: 32,
            seed: 1,
        };
        let b = teacher(&t).unwrap();
        assert_eq!(b, teacher(&t).unwrap());
        assert!(b.class_counts().iter().all(|&c| c > 0), "{:?}", b.class_counts());
        assert!(gaussian_mixture(&MixtureParams { n_classes: 1, ..p }).is_err());
    }
}
