//! Helpers shared by the fuzz targets: a byte cursor that turns fuzzer input into bounded
//! choices and f64 values (including NaN, ±inf, subnormals and huge magnitudes), and the
//! invariant checks on the library's reports (p-values in [0, 1], statistics finite, spectra
//! descending and non-negative) used by more than one target.

use sgn_lab::experiment::analyze::sample::Gaussianity;
use sgn_lab::spectrum::{Spectrum, SpectrumFit, SpectrumReport};
use sgn_lab::stats::{LikelihoodRatio, NormalityReport, PowerLawRate, PowerLawReport, TopKFit};

/// Reads choices from the fuzzer's bytes; past the end every read returns 0.
pub struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Cursor { data, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub fn rest(&self) -> &'a [u8] {
        &self.data[self.pos.min(self.data.len())..]
    }

    pub fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    pub fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut b = [0u8; N];
        for x in b.iter_mut() {
            *x = self.u8();
        }
        b
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.bytes())
    }

    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.bytes())
    }

    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        debug_assert!(lo <= hi);
        let span = (hi - lo) as u64 + 1;
        lo + (self.u16() as u64 % span) as usize
    }

    /// One f64 chosen by a tag byte: small "gradient-like" numbers most of the time, raw bit
    /// patterns (any NaN payload, ±inf, subnormals), special values and scaled values.
    pub fn f64(&mut self) -> f64 {
        const SPECIAL: [f64; 16] = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            f64::MAX,
            f64::MIN,
            1e-300,
            1e300,
            f64::EPSILON,
            1.0,
            -1.0,
            1.0 + f64::EPSILON,
        ];
        let tag = self.u8();
        match tag % 8 {
            // Raw bits: every NaN payload, subnormal and extreme exponent.
            0 => f64::from_bits(self.u64()),
            1 => SPECIAL[(self.u8() % 16) as usize],
            // f32 bits (as an f32 .npy would give).
            2 => f32::from_le_bytes(self.bytes()) as f64,
            // A small integer scaled by a power of ten in 1e-12 ..= 1e12 (heavy-ish tails).
            3 => {
                let m = i16::from_le_bytes(self.bytes()) as f64;
                let e = (self.u8() % 25) as i32 - 12;
                m * 10f64.powi(e)
            }
            // Plain small values.
            _ => (i16::from_le_bytes(self.bytes()) as f64) / 256.0,
        }
    }

    /// Up to `max` values (fewer when the input runs out).
    pub fn f64s(&mut self, max: usize) -> Vec<f64> {
        let n = self.range(0, max);
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            if self.is_empty() {
                break;
            }
            v.push(self.f64());
        }
        v
    }
}

/// Asserts `p` is a probability.
#[track_caller]
pub fn assert_p(p: f64, what: &str) {
    assert!((0.0..=1.0).contains(&p), "{what}: p-value {p} outside [0, 1]");
}

#[track_caller]
pub fn assert_finite(x: f64, what: &str) {
    assert!(x.is_finite(), "{what} = {x} is not finite");
}

pub fn check_lr(lr: &LikelihoodRatio, what: &str) {
    assert_p(lr.p, what);
    assert_finite(lr.llr_normalized, what);
    assert_finite(lr.llr, what);
}

pub fn check_top_k(f: &TopKFit, n: usize) {
    assert!(f.k >= 2 && f.k <= n, "{f:?}");
    assert!(f.xmin > 0.0 && f.xmin.is_finite(), "{f:?}");
    assert!(f.alpha > 1.0 && f.alpha.is_finite(), "alpha {f:?}");
    assert!(f.alpha_stderr >= 0.0 && f.alpha_stderr.is_finite(), "{f:?}");
    assert!((0.0..=1.0).contains(&f.ks_d), "ks_d {f:?}");
    assert!(f.ks_critical > 0.0 && f.ks_critical.is_finite(), "{f:?}");
    assert_eq!(f.power_law, f.ks_d < f.ks_critical);
}

/// Invariants of a power-law report on `n_in` input values.
pub fn check_power_law(r: &PowerLawReport, n_in: usize) {
    assert_eq!(r.n + r.n_zero, n_in, "{r:?}");
    assert!(r.n_tail >= 2 && r.n_tail <= r.n, "{r:?}");
    assert!(r.xmin > 0.0 && r.xmin.is_finite(), "{r:?}");
    assert!(r.alpha > 1.0 && r.alpha.is_finite(), "alpha {r:?}");
    assert!(r.alpha_stderr >= 0.0 && r.alpha_stderr.is_finite(), "{r:?}");
    assert!((0.0..=1.0).contains(&r.ks_d), "ks_d {r:?}");
    assert!(r.ks_critical > 0.0 && r.ks_critical.is_finite(), "{r:?}");
    if let Some(p) = r.p_value {
        assert_p(p, "bootstrap");
        assert!(r.bootstrap > 0);
    }
    check_lr(&r.vs_lognormal, "Vuong vs lognormal");
    check_lr(&r.vs_exponential, "Vuong vs exponential");
}

pub fn check_normality(r: &NormalityReport, n: usize) {
    assert_eq!(r.n, n);
    for (v, w) in [
        (r.mean, "mean"),
        (r.std, "std"),
        (r.skewness, "skewness"),
        (r.excess_kurtosis, "kurtosis"),
    ] {
        assert_finite(v, w);
    }
    // σ of values near the smallest subnormal underflows to 0 (the tests themselves rescale
    // and stay valid), so only σ ≥ 0 is guaranteed.
    assert!(r.std >= 0.0, "{r:?}");
    if let Some(sw) = r.shapiro_wilk {
        assert_p(sw.p, "Shapiro–Wilk");
        assert!(sw.w.is_finite() && sw.w > 0.0 && sw.w <= 1.0 + 1e-12, "W {sw:?}");
    } else {
        assert!(n > 5000);
    }
    assert_p(r.dagostino_pearson.p, "D'Agostino–Pearson");
    assert!(
        r.dagostino_pearson.k2 >= 0.0 && r.dagostino_pearson.k2.is_finite(),
        "{r:?}"
    );
    assert_p(r.jarque_bera.p, "Jarque–Bera");
    assert!(r.jarque_bera.jb >= 0.0 && r.jarque_bera.jb.is_finite(), "{r:?}");
    assert_p(r.anderson_darling.p, "Anderson–Darling");
    assert_finite(r.anderson_darling.a2, "A²");
    assert_p(r.lilliefors.p, "Lilliefors");
    assert!((0.0..=1.0).contains(&r.lilliefors.d), "{r:?}");
}

/// [`check_normality`] for the analysis's Gaussianity report: every test when the sample was
/// kept whole, the moment tests only when `streamed`.
pub fn check_gaussianity(g: &Gaussianity, n: usize) {
    assert_eq!(g.n, n);
    for (v, w) in [
        (g.mean, "mean"),
        (g.std, "std"),
        (g.skewness, "skewness"),
        (g.excess_kurtosis, "kurtosis"),
    ] {
        assert_finite(v, w);
    }
    assert!(g.std >= 0.0, "{g:?}");
    if let Some(sw) = g.shapiro_wilk {
        assert_p(sw.p, "Shapiro–Wilk");
        assert!(sw.w.is_finite() && sw.w > 0.0 && sw.w <= 1.0 + 1e-12, "W {sw:?}");
    } else {
        assert!(n > 5000 || g.streamed);
    }
    assert_p(g.dagostino_pearson.p, "D'Agostino–Pearson");
    assert!(
        g.dagostino_pearson.k2 >= 0.0 && g.dagostino_pearson.k2.is_finite(),
        "{g:?}"
    );
    assert_p(g.jarque_bera.p, "Jarque–Bera");
    assert!(g.jarque_bera.jb >= 0.0 && g.jarque_bera.jb.is_finite(), "{g:?}");
    assert_eq!(g.anderson_darling.is_none(), g.streamed);
    assert_eq!(g.lilliefors.is_none(), g.streamed);
    if let Some(ad) = g.anderson_darling {
        assert_p(ad.p, "Anderson–Darling");
        assert_finite(ad.a2, "A²");
    }
    if let Some(l) = g.lilliefors {
        assert_p(l.p, "Lilliefors");
        assert!((0.0..=1.0).contains(&l.d), "{g:?}");
    }
}

pub fn check_rate(r: &PowerLawRate, samples: usize) {
    assert_eq!(r.tested + r.skipped, samples, "{r:?}");
    assert!(r.power_law <= r.tested);
    match r.rate {
        Some(x) => assert_p(x, "power-law rate"),
        None => assert_eq!(r.tested, 0),
    }
}

/// Eigenvalues descending, non-negative and finite; rank ≤ min(n − 1, d) and rank counts the
/// non-zero ones.
pub fn check_spectrum(s: &Spectrum) {
    let ev = &s.eigenvalues;
    assert_eq!(ev.len(), s.n.min(s.d), "{s:?}");
    assert!(ev.iter().all(|v| v.is_finite() && *v >= 0.0), "{ev:?}");
    assert!(ev.windows(2).all(|w| w[0] >= w[1]), "not descending: {ev:?}");
    assert!(
        s.rank <= s.n.saturating_sub(1).min(s.d),
        "rank {} for n = {}, d = {}: {ev:?}",
        s.rank,
        s.n,
        s.d
    );
    assert_eq!(s.rank, ev.iter().filter(|v| **v > 0.0).count(), "{s:?}");
}

pub fn check_fit(f: &SpectrumFit) {
    assert!(f.k >= 2, "{f:?}");
    assert!(f.beta > 1.0 && f.beta.is_finite(), "beta {f:?}");
    assert!(f.s > 0.0 && f.s.is_finite(), "s {f:?}");
    assert!(f.beta_stderr >= 0.0 && f.beta_stderr.is_finite(), "{f:?}");
    assert!((0.0..=1.0).contains(&f.ks_d), "{f:?}");
    assert_finite(f.ls_slope, "least-squares slope");
    assert!((0.0..=1.0).contains(&f.ls_r2), "{f:?}");
    assert_eq!(f.power_law, f.ks_d < f.ks_critical);
}

pub fn check_spectrum_report(r: &SpectrumReport) {
    check_spectrum(&Spectrum {
        n: r.n,
        d: r.d,
        rank: r.rank,
        eigenvalues: r.eigenvalues.clone(),
    });
    check_fit(&r.fit);
    assert!(r.mp.sigma2 >= 0.0 && r.mp.sigma2.is_finite(), "{:?}", r.mp);
    assert!(r.mp.lambda_minus <= r.mp.lambda_plus, "{:?}", r.mp);
}
