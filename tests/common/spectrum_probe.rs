//! A determinism probe of the covariance spectrum shared by the native test
//! (`tests/spectrum_determinism.rs`, which writes `tests/fixtures/spectrum_bits.json`) and the
//! browser test (`tests/web_determinism.rs`): the bits of the Gram matrix, the eigenvalues and
//! eigenvectors of its centred form, and the serialised full analysis (fit, Gaussian baseline,
//! theory views, Davis–Kahan) of one fixed set of per-sample gradients. The inputs come from a
//! xorshift generator (basic operations only), N = 600 so that every step of the eigensolver
//! and of the Gram product is large enough to be split between threads natively.
#![allow(dead_code)]

use sgn_lab::nn::network::{fingerprint_f64, fnv_byte, FNV_OFFSET};
use sgn_lab::nn::{GradBlock, PerSampleGrads};
use sgn_lab::spectrum::eigen::{eigen_desc, eigenvalues_desc};
use sgn_lab::spectrum::{analyze_grads_full, gram, SpectrumOptions};

/// Samples of the probe (> 512: the eigensolver's steps run as parallel tasks natively).
pub const N: usize = 600;

/// Uniform [0, 1) from xorshift64 (no transcendental, the same everywhere).
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> f64 {
        let mut s = self.0;
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        self.0 = s;
        (s >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Per-sample gradients of an FCN 40→24→10 with bias: sparse non-negative inputs (60 % exact
/// zeros, as ReLU activations and blank pixels), errors in [−½, ½) with the zeros of the next
/// layer's ReLU.
pub fn grads() -> PerSampleGrads {
    let mut r = Xorshift(0x5EED_5EED_1234_5678);
    let mut sparse = |m: usize| -> Vec<f64> {
        (0..m)
            .map(|_| {
                let u = r.next();
                if u < 0.6 {
                    0.0
                } else {
                    (u - 0.6) * 2.5
                }
            })
            .collect()
    };
    let a0 = sparse(N * 40);
    let a1 = sparse(N * 24);
    let mut r = Xorshift(0xDEC0_DE00_0000_0017);
    let d1: Vec<f64> = (0..N * 10).map(|_| r.next() - 0.5).collect();
    let d0: Vec<f64> = a1.iter().map(|&a| if a > 0.0 { r.next() - 0.5 } else { 0.0 }).collect();
    PerSampleGrads {
        n: N,
        blocks: vec![
            GradBlock::Outer {
                n: N,
                fan_in: 40,
                fan_out: 24,
                a: a0,
                delta: d0,
                bias: true,
            },
            GradBlock::Outer {
                n: N,
                fan_in: 24,
                fan_out: 10,
                a: a1,
                delta: d1,
                bias: true,
            },
        ],
    }
}

/// FNV-1a of a string's bytes.
fn fingerprint_str(s: &str) -> u64 {
    s.bytes().fold(FNV_OFFSET, fnv_byte)
}

/// The probe's fingerprints (hexadecimal) and λ₁ (to read a failure).
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct SpectrumProbe {
    pub gram: String,
    pub eigenvalues: String,
    pub eigenvectors: String,
    pub analysis: String,
    pub lambda1: String,
}

pub fn probe() -> SpectrumProbe {
    let g = grads();
    let k = gram::gram(&g).expect("gram");
    let mut c = k.clone();
    gram::centre(&mut c);
    let scale = 1.0 / N as f64;
    c.iter_mut().for_each(|x| *x *= scale);
    let values = eigenvalues_desc(c.view()).expect("eigenvalues");
    let e = eigen_desc(c.view()).expect("eigen");
    assert_eq!(
        fingerprint_f64(FNV_OFFSET, &e.values),
        fingerprint_f64(FNV_OFFSET, &values),
        "eigen_desc and eigenvalues_desc give the same eigenvalues"
    );
    let analysis = analyze_grads_full(&g, &SpectrumOptions::default()).expect("analysis");
    let json = serde_json::to_string(&analysis).expect("serialise");
    SpectrumProbe {
        gram: format!(
            "{:016x}",
            fingerprint_f64(FNV_OFFSET, k.as_slice().expect("standard layout"))
        ),
        eigenvalues: format!("{:016x}", fingerprint_f64(FNV_OFFSET, &values)),
        eigenvectors: format!("{:016x}", fingerprint_f64(FNV_OFFSET, &e.vectors)),
        analysis: format!("{:016x}", fingerprint_str(&json)),
        lambda1: format!("{:e}", values[0]),
    }
}

impl SpectrumProbe {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "gram": self.gram,
            "eigenvalues": self.eigenvalues,
            "eigenvectors": self.eigenvectors,
            "analysis": self.analysis,
            "lambda1": self.lambda1,
        })
    }

    pub fn from_json(json: &str) -> SpectrumProbe {
        let v: serde_json::Value = serde_json::from_str(json).expect("fixture JSON");
        let s = |k: &str| v[k].as_str().expect("fixture field").to_string();
        SpectrumProbe {
            gram: s("gram"),
            eigenvalues: s("eigenvalues"),
            eigenvectors: s("eigenvectors"),
            analysis: s("analysis"),
            lambda1: s("lambda1"),
        }
    }
}
