//! Gaussianity tests (supplementary to the power-law tests; see `docs/PROTOCOL.md` §3).
//!
//! Written by hand because no maintained Rust crate that builds for wasm32 provides them
//! (statrs supplies the normal and χ² distributions and erfc used below). Each test follows the
//! reference implementation named in its doc comment, and is checked against it by the fixtures
//! in `tests/fixtures/` (scipy 1.17, statsmodels 0.15).

use crate::libm_f64::erfc;
use serde::{Deserialize, Serialize};

use super::StatsError;
use crate::libm_f64::LibmF64;

/// Standard normal CDF Φ(z) = ½ erfc(−z/√2).
pub(crate) fn norm_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Standard normal survival Q(z) = ½ erfc(z/√2).
pub(crate) fn norm_sf(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// Sample moments: mean, standard deviation with n − 1, and the biased (population-moment)
/// skewness g₁ = m₃/m₂^{3/2} and excess kurtosis g₂ = m₄/m₂² − 3 (scipy's `skew`, `kurtosis`
/// defaults), with m_k = (1/n) Σ (x − x̄)^k.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    pub n: usize,
    pub mean: f64,
    pub std: f64,
    pub skewness: f64,
    pub excess_kurtosis: f64,
}

/// Validates a sample for the Gaussianity tests: finite, at least `min` values, not all equal.
fn check(x: &[f64], test: &'static str, min: usize) -> Result<(), StatsError> {
    super::check_finite(x)?;
    if x.len() < min {
        return Err(StatsError::TooFew {
            test,
            needed: min,
            got: x.len(),
        });
    }
    let first = x[0];
    if x.iter().all(|&v| v == first) {
        return Err(StatsError::AllEqual { what: test });
    }
    Ok(())
}

/// The sample divided by a power of two near max |x| when its magnitude is extreme, so sums of
/// squares and fourth powers cannot overflow (every test statistic is scale invariant; the
/// factor is returned to rescale mean and std). Exact: scaling by 2^k does not round.
fn rescaled(x: &[f64]) -> (std::borrow::Cow<'_, [f64]>, f64) {
    let m = x.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    if m > 1e60 || (m < 1e-60 && m > 0.0) {
        let k = m.log2_().round();
        let f = 2f64.powf_(k);
        (std::borrow::Cow::Owned(x.iter().map(|v| v / f).collect()), f)
    } else {
        (std::borrow::Cow::Borrowed(x), 1.0)
    }
}

/// [`Moments`] of a sample (n ≥ 2, finite, not all equal).
pub fn moments(x: &[f64]) -> Result<Moments, StatsError> {
    check(x, "sample moments", 2)?;
    let (xs, f) = rescaled(x);
    let m = moments_unscaled(&xs)?;
    Ok(Moments {
        mean: m.mean * f,
        std: m.std * f,
        ..m
    })
}

fn moments_unscaled(x: &[f64]) -> Result<Moments, StatsError> {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for &v in x {
        let d = v - mean;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    let std = (m2 / (n - 1.0)).sqrt();
    m2 /= n;
    m3 /= n;
    m4 /= n;
    if !(m2 > 0.0) {
        return Err(StatsError::AllEqual { what: "sample moments" });
    }
    let skewness = m3 / m2.powf_(1.5);
    let excess_kurtosis = m4 / (m2 * m2) - 3.0;
    if !(skewness.is_finite() && excess_kurtosis.is_finite() && std.is_finite()) {
        return Err(StatsError::Numerical("sample moments"));
    }
    Ok(Moments {
        n: x.len(),
        mean,
        std,
        skewness,
        excess_kurtosis,
    })
}

/// Shapiro–Wilk result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShapiroWilk {
    pub w: f64,
    pub p: f64,
}

/// Statistic and p-value pair for the other tests.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DagostinoPearson {
    pub k2: f64,
    pub p: f64,
}
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct JarqueBera {
    pub jb: f64,
    pub p: f64,
}
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AndersonDarling {
    pub a2: f64,
    pub p: f64,
}
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Lilliefors {
    pub d: f64,
    pub p: f64,
}

/// AS 241 PPND7 (Wichura 1988), the 7-digit normal quantile that AS R94 uses; kept so W matches
/// the reference implementations (scipy's `swilk`) to rounding.
fn ppnd7(p: f64) -> f64 {
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * (((59.109374720 * r + 159.29113202) * r + 50.434271938) * r + 3.3871327179)
            / (((67.187563600 * r + 78.757757664) * r + 17.895169469) * r + 1.0);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    if r <= 0.0 {
        return 0.0;
    }
    let mut r = (-r.ln_()).sqrt();
    let v = if r <= 5.0 {
        r -= 1.6;
        (((0.17023821103 * r + 1.3067284816) * r + 2.7568153900) * r + 1.4234372777)
            / ((0.12021132975 * r + 0.73700164250) * r + 1.0)
    } else {
        r -= 5.0;
        (((0.017337203997 * r + 0.42868294337) * r + 3.0812263860) * r + 6.6579051150)
            / ((0.012258202635 * r + 0.24197894225) * r + 1.0)
    };
    if q < 0.0 {
        -v
    } else {
        v
    }
}

/// c₀ + c₁x + c₂x² + … (AS 181.2 `poly`).
fn poly(c: &[f64], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &ci| acc * x + ci)
}

/// Shapiro–Wilk W and p-value by Royston's algorithm AS R94 (Royston 1995, *Appl. Statist.*
/// 44(4):547–551), as in scipy's `shapiro` (uncensored case): coefficients from the PPND7
/// normal scores m_i = Φ⁻¹((i − 3/8)/(n + 1/4)) with Royston's polynomial corrections for a₁, a₂;
/// W = (Σ aᵢ x₍ᵢ₎)² / Σ (xᵢ − x̄)²; p from Royston's normalising transformation (n = 3: exact
/// p = (6/π)(asin √W − asin √¾); 4 ≤ n ≤ 11: y = −ln(γ − ln(1 − W)), γ = −2.273 + 0.459n;
/// n ≥ 12: y = ln(1 − W)) and the upper normal tail. Valid for 3 ≤ n ≤ 5000.
pub fn shapiro_wilk(x: &[f64]) -> Result<ShapiroWilk, StatsError> {
    check(x, "Shapiro–Wilk", 3)?;
    let n = x.len();
    if n > 5000 {
        return Err(StatsError::TooMany {
            test: "Shapiro–Wilk",
            max: 5000,
            got: n,
        });
    }
    let mut xs = rescaled(x).0.into_owned();
    xs.sort_unstable_by(|a, b| a.total_cmp(b));
    // Centre on the median (as scipy does) to reduce rounding.
    let med = if n % 2 == 1 {
        xs[n / 2]
    } else {
        0.5 * (xs[n / 2 - 1] + xs[n / 2])
    };
    for v in xs.iter_mut() {
        *v -= med;
    }
    let an = n as f64;
    let nn2 = n / 2;
    let mut a = vec![0.0; nn2.max(1)];
    const C1: [f64; 6] = [0.0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056];
    const C2: [f64; 6] = [0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633];
    if n == 3 {
        a[0] = std::f64::consts::FRAC_1_SQRT_2;
    } else {
        let an25 = an + 0.25;
        let mut summ2 = 0.0;
        for (i, ai) in a.iter_mut().enumerate() {
            *ai = ppnd7(((i + 1) as f64 - 0.375) / an25);
            summ2 += *ai * *ai;
        }
        summ2 *= 2.0;
        let ssumm2 = summ2.sqrt();
        let rsn = 1.0 / an.sqrt();
        let a1 = poly(&C1, rsn) - a[0] / ssumm2;
        let (i1, fac);
        if n > 5 {
            i1 = 2;
            let a2 = -a[1] / ssumm2 + poly(&C2, rsn);
            fac = ((summ2 - 2.0 * a[0] * a[0] - 2.0 * a[1] * a[1]) / (1.0 - 2.0 * a1 * a1 - 2.0 * a2 * a2)).sqrt();
            a[1] = a2;
        } else {
            i1 = 1;
            fac = ((summ2 - 2.0 * a[0] * a[0]) / (1.0 - 2.0 * a1 * a1)).sqrt();
        }
        a[0] = a1;
        for ai in a.iter_mut().skip(i1) {
            *ai = -*ai / fac;
        }
    }
    // W via the range-scaled, numerically stable form of AS R94.
    let range = xs[n - 1] - xs[0];
    if !(range > 0.0) {
        return Err(StatsError::AllEqual { what: "Shapiro–Wilk" });
    }
    // Full antisymmetric coefficient vector: a_full[i] = −a[i] (i < n/2), a_full[n−1−i] = a[i].
    let coef = |i: usize| -> f64 {
        let j = n - 1 - i;
        if i < j {
            -a[i]
        } else if i > j {
            a[j]
        } else {
            0.0
        }
    };
    let sa = (0..n).map(coef).sum::<f64>() / an;
    let sx = xs.iter().map(|v| v / range).sum::<f64>() / an;
    let (mut ssa, mut ssx, mut sax) = (0.0, 0.0, 0.0);
    for (i, &xi) in xs.iter().enumerate() {
        let asa = coef(i) - sa;
        let xsx = xi / range - sx;
        ssa += asa * asa;
        ssx += xsx * xsx;
        sax += asa * xsx;
    }
    let ssassx = (ssa * ssx).sqrt();
    let w1 = (ssassx - sax) * (ssassx + sax) / (ssa * ssx);
    let w = 1.0 - w1;
    if n == 3 {
        // AS R94 writes 6/π and π/3 as 1.909859 and 1.047198.
        let p = 6.0 / std::f64::consts::PI * (w.sqrt().asin_() - std::f64::consts::FRAC_PI_3);
        return Ok(ShapiroWilk {
            w,
            p: p.clamp(0.0, 1.0),
        });
    }
    let mut y = w1.ln_();
    let xx = an.ln_();
    let (m, s);
    if n <= 11 {
        let gamma = poly(&[-2.273, 0.459], an);
        if y >= gamma {
            return Ok(ShapiroWilk { w, p: 1e-19 });
        }
        y = -(gamma - y).ln_();
        m = poly(&[0.544, -0.39978, 0.025054, -6.714e-4], an);
        s = poly(&[1.3822, -0.77857, 0.062767, -0.0020322], an).exp_();
    } else {
        m = poly(&[-1.5861, -0.31082, -0.083751, 0.0038915], xx);
        s = poly(&[-0.4803, -0.082676, 0.0030302], xx).exp_();
    }
    let p = norm_sf((y - m) / s);
    if !w.is_finite() || !p.is_finite() {
        return Err(StatsError::Numerical("Shapiro–Wilk"));
    }
    Ok(ShapiroWilk { w, p })
}

/// D'Agostino's skewness test Z (D'Agostino 1970; scipy `skewtest`), n ≥ 8.
fn skew_z(g1: f64, n: f64) -> f64 {
    let y = g1 * (((n + 1.0) * (n + 3.0)) / (6.0 * (n - 2.0))).sqrt();
    let beta2 =
        3.0 * (n * n + 27.0 * n - 70.0) * (n + 1.0) * (n + 3.0) / ((n - 2.0) * (n + 5.0) * (n + 7.0) * (n + 9.0));
    let w2 = -1.0 + (2.0 * (beta2 - 1.0)).sqrt();
    let delta = 1.0 / (0.5 * w2.ln_()).sqrt();
    let alpha = (2.0 / (w2 - 1.0)).sqrt();
    let y = if y == 0.0 { 1.0 } else { y };
    delta * (y / alpha + ((y / alpha).powi(2) + 1.0).sqrt()).ln_()
}

/// Anscombe & Glynn (1983) kurtosis test Z (scipy `kurtosistest`), b₂ = g₂ + 3.
fn kurtosis_z(b2: f64, n: f64) -> Option<f64> {
    let e = 3.0 * (n - 1.0) / (n + 1.0);
    let varb2 = 24.0 * n * (n - 2.0) * (n - 3.0) / ((n + 1.0) * (n + 1.0) * (n + 3.0) * (n + 5.0));
    let x = (b2 - e) / varb2.sqrt();
    let sqrtbeta1 = 6.0 * (n * n - 5.0 * n + 2.0) / ((n + 7.0) * (n + 9.0))
        * ((6.0 * (n + 3.0) * (n + 5.0)) / (n * (n - 2.0) * (n - 3.0))).sqrt();
    let a = 6.0 + 8.0 / sqrtbeta1 * (2.0 / sqrtbeta1 + (1.0 + 4.0 / (sqrtbeta1 * sqrtbeta1)).sqrt());
    let term1 = 1.0 - 2.0 / (9.0 * a);
    let denom = 1.0 + x * (2.0 / (a - 4.0)).sqrt();
    if denom == 0.0 {
        return None;
    }
    let term2 = denom.signum() * ((1.0 - 2.0 / a) / denom.abs()).powf_(1.0 / 3.0);
    Some((term1 - term2) / (2.0 / (9.0 * a)).sqrt())
}

/// D'Agostino–Pearson omnibus K² = Z_s² + Z_k² (D'Agostino & Pearson 1973; scipy `normaltest`):
/// Z_s from D'Agostino's skewness transformation, Z_k from Anscombe & Glynn's kurtosis
/// transformation; p = P(χ²₂ > K²) = exp(−K²/2). n ≥ 8.
pub fn dagostino_pearson(x: &[f64]) -> Result<DagostinoPearson, StatsError> {
    check(x, "D'Agostino–Pearson", 8)?;
    dagostino_pearson_from_moments(&moments(x)?)
}

/// [`dagostino_pearson`] from a sample's [`Moments`] (n and the biased skewness and kurtosis
/// are all it uses), for samples whose moments were accumulated in one pass. n ≥ 8.
pub fn dagostino_pearson_from_moments(m: &Moments) -> Result<DagostinoPearson, StatsError> {
    if m.n < 8 {
        return Err(StatsError::TooFew {
            test: "D'Agostino–Pearson",
            needed: 8,
            got: m.n,
        });
    }
    let n = m.n as f64;
    let zs = skew_z(m.skewness, n);
    let zk = kurtosis_z(m.excess_kurtosis + 3.0, n).ok_or(StatsError::Numerical("D'Agostino–Pearson kurtosis test"))?;
    let k2 = zs * zs + zk * zk;
    if !k2.is_finite() {
        return Err(StatsError::Numerical("D'Agostino–Pearson"));
    }
    Ok(DagostinoPearson {
        k2,
        p: (-0.5 * k2).exp_(),
    })
}

/// Jarque–Bera JB = n/6 · (g₁² + g₂²/4) with the biased skewness g₁ and excess kurtosis g₂
/// (Jarque & Bera 1987; scipy `jarque_bera`); p = P(χ²₂ > JB) = exp(−JB/2). n ≥ 3.
pub fn jarque_bera(x: &[f64]) -> Result<JarqueBera, StatsError> {
    check(x, "Jarque–Bera", 3)?;
    Ok(jarque_bera_from_moments(&moments(x)?))
}

/// [`jarque_bera`] from a sample's [`Moments`] (n, skewness and excess kurtosis).
pub fn jarque_bera_from_moments(m: &Moments) -> JarqueBera {
    let jb = m.n as f64 / 6.0 * (m.skewness * m.skewness + 0.25 * m.excess_kurtosis * m.excess_kurtosis);
    JarqueBera {
        jb,
        p: (-0.5 * jb).exp_(),
    }
}

/// z_i = (x_i − x̄)/s (sample std, n − 1), sorted ascending; x is first rescaled like every
/// test here (`rescaled`) so tiny or huge gradients do not under/overflow.
fn standardized_sorted(x: &[f64]) -> Result<Vec<f64>, StatsError> {
    let (xs, _) = rescaled(x);
    let m = moments(&xs)?;
    let mut z: Vec<f64> = xs.iter().map(|v| (v - m.mean) / m.std).collect();
    z.sort_unstable_by(|a, b| a.total_cmp(b));
    Ok(z)
}

/// Anderson–Darling with estimated mean and standard deviation (n − 1), as statsmodels
/// `normal_ad`: A² = −n − (1/n) Σᵢ (2i − 1)[ln Φ(zᵢ) + ln(1 − Φ(z₍ₙ₊₁₋ᵢ₎))], zᵢ the sorted
/// standardised values; modified A*² = A²(1 + 0.75/n + 2.25/n²) and the p-value of D'Agostino &
/// Stephens (1986, Table 4.9): A*² < 0.2: 1 − exp(−13.436 + 101.14A*² − 223.73A*⁴); < 0.34:
/// 1 − exp(−8.318 + 42.796A*² − 59.938A*⁴); < 0.6: exp(0.9177 − 4.279A*² − 1.38A*⁴); ≤ 13:
/// exp(1.2937 − 5.709A*² + 0.0186A*⁴); else 0. Reports A² (unmodified) and that p. n ≥ 3.
pub fn anderson_darling(x: &[f64]) -> Result<AndersonDarling, StatsError> {
    check(x, "Anderson–Darling", 3)?;
    let z = standardized_sorted(x)?;
    let n = z.len();
    let nf = n as f64;
    let ln_cdf = |w: f64| super::vuong::ln_normal_sf(-w);
    let ln_sf = |w: f64| super::vuong::ln_normal_sf(w);
    let mut s = 0.0;
    for i in 0..n {
        s += (2.0 * (i + 1) as f64 - 1.0) / nf * (ln_cdf(z[i]) + ln_sf(z[n - 1 - i]));
    }
    let a2 = -nf - s;
    let a = a2 * (1.0 + 0.75 / nf + 2.25 / (nf * nf));
    let p = if a < 0.2 {
        1.0 - (-13.436 + 101.14 * a - 223.73 * a * a).exp_()
    } else if a < 0.34 {
        1.0 - (-8.318 + 42.796 * a - 59.938 * a * a).exp_()
    } else if a < 0.6 {
        (0.9177 - 4.279 * a - 1.38 * a * a).exp_()
    } else if a <= 13.0 {
        (1.2937 - 5.709 * a + 0.0186 * a * a).exp_()
    } else {
        0.0
    };
    if !a2.is_finite() {
        return Err(StatsError::Numerical("Anderson–Darling"));
    }
    Ok(AndersonDarling { a2, p })
}

/// Lilliefors' test (Lilliefors 1967, *JASA* 62(318):399–402): KS distance
/// D = maxᵢ max(i/n − Φ(z₍ᵢ₎), Φ(z₍ᵢ₎) − (i − 1)/n) between the ECDF of the sorted
/// z = (x − x̄)/s (s with n − 1) and Φ, as statsmodels' `lilliefors`. p-value from the simulated
/// null distribution of D ([`lilliefors_p`]), accurate to ±0.01. n ≥ 4.
pub fn lilliefors(x: &[f64]) -> Result<Lilliefors, StatsError> {
    check(x, "Lilliefors", 4)?;
    let z = standardized_sorted(x)?;
    let n = z.len();
    let nf = n as f64;
    let mut d: f64 = 0.0;
    for (i, &zi) in z.iter().enumerate() {
        let c = norm_cdf(zi);
        d = d.max((i + 1) as f64 / nf - c).max(c - i as f64 / nf);
    }
    Ok(Lilliefors {
        d,
        p: lilliefors_p(d, n),
    })
}

/// Upper-tail probability P(D ≥ d) of Lilliefors' statistic at sample size n under the null,
/// from the Monte Carlo table `lilliefors_table.rs` (made by
/// `tests/fixtures/make_lilliefors_table.py`: 200 000 null samples per tabulated n, seeded).
/// The table holds, for each n in `SIZES` (every n from 4 to 25, then 30 … 5000) and each knot
/// pⱼ in `P` (0.001 … 0.999, steps of at most 0.02), the quantile tⱼ(n) at level 1 − pⱼ of
/// Stephens' modified statistic T = D (√n − 0.01 + 0.85/√n) (Stephens 1974, *JASA*
/// 69(347):730–737, Table 1A), whose distribution barely depends on n. Then:
/// 1. tⱼ(n): the row at a tabulated n; between rows r and r + 1 linear in u = 1/√n,
///    tⱼ = tⱼ(r) + (u − u_r)/(u_{r+1} − u_r) · (tⱼ(r+1) − tⱼ(r)); for n > 5000 the same between
///    the n = 5000 row and the asymptotic row `T_INF` at u = 0 (the n → ∞ limit of the
///    least-squares fit tⱼ(n) = aⱼ + bⱼ/√n to the rows n ≥ 400), i.e.
///    tⱼ = tⱼ(5000) + (1 − √5000/√n) · (T_INFⱼ − tⱼ(5000));
/// 2. T = d (√n − 0.01 + 0.85/√n), and p linear in T between the bracketing knots,
///    p = pⱼ + (T − tⱼ)/(tⱼ₊₁ − tⱼ) · (pⱼ₊₁ − pⱼ);
/// 3. clamped to [0.001, 0.999]: 0.001 means p ≤ 0.001 and 0.999 means p ≥ 0.999.
///
/// Accurate to ±0.01 in p against simulation at every n ≥ 4 (the script checks sizes between the
/// rows and up to n = 10 000 with fresh draws; `tests/stats_normality.rs` checks it with this
/// crate's own generator; figures in `docs/PROTOCOL.md` §3). Only +, −, ×, ÷ and √, so the value
/// is bit-identical natively and in wasm.
fn lilliefors_p(d: f64, n: usize) -> f64 {
    use super::lilliefors_table::{P, SIZES, T, T_INF};
    let nf = n as f64;
    let last = SIZES.len() - 1;
    let t = if nf >= SIZES[last] {
        // Between the last row (u_last = 1/√5000) and T_INF (u = 0), linear in u.
        let w = 1.0 - SIZES[last].sqrt() / nf.sqrt();
        let mut t = T[last];
        for (tj, &inf) in t.iter_mut().zip(T_INF.iter()) {
            *tj += w * (inf - *tj);
        }
        t
    } else {
        // SIZES[r] ≤ n < SIZES[r + 1] (n ≥ 4 = SIZES[0]).
        let r = SIZES.partition_point(|&s| s <= nf).max(1) - 1;
        let (u, u0, u1) = (1.0 / nf.sqrt(), 1.0 / SIZES[r].sqrt(), 1.0 / SIZES[r + 1].sqrt());
        let w = (u - u0) / (u1 - u0);
        let mut t = T[r];
        for (tj, &next) in t.iter_mut().zip(T[r + 1].iter()) {
            *tj += w * (next - *tj);
        }
        t
    };
    let k = P.len();
    let stat = d * (nf.sqrt() - 0.01 + 0.85 / nf.sqrt());
    if !(stat < t[0]) {
        return P[0];
    }
    if stat <= t[k - 1] {
        return P[k - 1];
    }
    // t decreases: t[j] > stat ≥ t[j + 1]… find the last j with t[j] ≥ stat.
    let j = t.partition_point(|&v| v >= stat) - 1;
    P[j] + (stat - t[j]) / (t[j + 1] - t[j]) * (P[j + 1] - P[j])
}

/// All Gaussianity results for one sample (the `sgn-lab normality` JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalityReport {
    pub n: usize,
    pub mean: f64,
    pub std: f64,
    pub skewness: f64,
    pub excess_kurtosis: f64,
    /// `None` (JSON null) above 5000 values, where AS R94 is not valid.
    pub shapiro_wilk: Option<ShapiroWilk>,
    pub dagostino_pearson: DagostinoPearson,
    pub jarque_bera: JarqueBera,
    pub anderson_darling: AndersonDarling,
    pub lilliefors: Lilliefors,
}

/// Smallest sample [`normality`] accepts (D'Agostino's skewness test needs 8).
pub const NORMALITY_MIN_N: usize = 8;

/// Every Gaussianity test on one sample. Needs n ≥ 8 finite values, not all equal; Shapiro–Wilk
/// is skipped (`None`) above 5000 values.
pub fn normality(x: &[f64]) -> Result<NormalityReport, StatsError> {
    check(x, "normality tests", NORMALITY_MIN_N)?;
    let m = moments(x)?;
    let shapiro_wilk = if x.len() <= 5000 { Some(shapiro_wilk(x)?) } else { None };
    Ok(NormalityReport {
        n: m.n,
        mean: m.mean,
        std: m.std,
        skewness: m.skewness,
        excess_kurtosis: m.excess_kurtosis,
        shapiro_wilk,
        dagostino_pearson: dagostino_pearson(x)?,
        jarque_bera: jarque_bera(x)?,
        anderson_darling: anderson_darling(x)?,
        lilliefors: lilliefors(x)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ppnd7_close_to_exact() {
        for &p in &[0.001, 0.02, 0.3, 0.5, 0.8, 0.999] {
            let z = ppnd7(p);
            assert!((norm_cdf(z) - p).abs() < 1e-7, "{p} {z} {}", norm_cdf(z) - p);
        }
    }

    #[test]
    fn extreme_scales_do_not_overflow() {
        let base: Vec<f64> = (0..50)
            .map(|i| ((i * 37 % 50) as f64 - 25.0) / 7.0 + ((i * 11 % 13) as f64) / 5.0)
            .collect();
        let r0 = normality(&base).unwrap();
        for f in [1e300, 1e-300] {
            let x: Vec<f64> = base.iter().map(|v| v * f).collect();
            let r = normality(&x).unwrap();
            assert!((r.skewness - r0.skewness).abs() < 1e-9 && (r.std / f - r0.std).abs() < 1e-9 * r0.std);
            assert!((r.shapiro_wilk.unwrap().w - r0.shapiro_wilk.unwrap().w).abs() < 1e-12);
            assert!((r.anderson_darling.a2 - r0.anderson_darling.a2).abs() < 1e-9);
        }
        assert!(normality(&[1e308, -1e308, 1e308, -1e308, 5.0, 1e308, 3.0, -2e307]).is_ok());
    }

    #[test]
    fn errors() {
        assert!(matches!(normality(&[1.0; 10]), Err(StatsError::AllEqual { .. })));
        assert!(matches!(normality(&[1.0, 2.0]), Err(StatsError::TooFew { .. })));
        assert!(matches!(
            shapiro_wilk(&[1.0, f64::NAN, 3.0]),
            Err(StatsError::NonFinite { .. })
        ));
    }
}
