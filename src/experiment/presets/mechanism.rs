//! The mechanism demo (the lab's synthesis, not a claim of the paper): if g_t ~ N(0, diag(k^(−s)))
//! every coordinate is Gaussian over iterations, yet the pooled coordinates are power-law with
//! exponent 1 + 2/s; s = 0 removes the tail and a random rotation weakens it. No network.

use super::shared::{ccdf_chart, USUALLY};
use super::{Preset, PresetInfo};
use crate::data::{standard_normal, DatasetSpec};
use crate::experiment::config::{ExperimentConfig, ExperimentError};
use crate::experiment::context::Ctx;
use crate::experiment::measure::{MeasureError, TailTest};
use crate::experiment::report::{rate, MechanismResult, MechanismRow, Report};
use crate::experiment::verdict::{Clause, Cmp, Evidence, Quantity, Verdict};
use crate::format::rate_fraction as fmt_rate;
use crate::plot::Chart;
use crate::rng::substream;
use crate::stats::powerlaw::{power_law_test, PowerLawOptions};
use crate::stats::rate_from_verdicts;
use crate::stats::Rule;

/// Random stream of the mechanism demo.
const MECHANISM_STREAM: u64 = 0x4d45_4348;

/// Coordinates of the mechanism demo.
pub const MECHANISM_D: usize = 4096;

pub struct Mechanism;

static INFO: PresetInfo = PresetInfo {
    name: "mechanism",
    title: "Mechanism demo: Gaussian per coordinate, power law when pooled",
    claim: "If g_t ~ N(0, diag(k^(−s))), every coordinate is Gaussian over iterations, yet the pooled coordinates are power-law with exponent 1 + 2/s; s = 0 removes the tail and a random rotation weakens it.",
    source: "lab's synthesis (docs/PROTOCOL.md §5.4, Mechanism demo) [I]; not a claim of the paper",
    varies: "s ∈ {0, 1, 1.5}, and s = 1 after a random rotation; no network",
    look: "Every coordinate alone passes as Gaussian, yet the pooled values are power-law with exponent near 1 + 2/s; s = 0 and the rotated case should lose the tail.",
    finding: "every coordinate was Gaussian over iterations while the pooled coordinates had a power-law tail with exponent near 1 + 2/s",
    lab_scale: "The demo draws only T = 200 iterations and 4096 coordinates, so the pooled tail is short and its exponent estimate noisy.",
};

impl Preset for Mechanism {
    fn info(&self) -> &'static PresetInfo {
        &INFO
    }

    fn datasets(&self, _base: &ExperimentConfig) -> Vec<DatasetSpec> {
        Vec::new()
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>, b: &ExperimentConfig, r: &mut Report) -> Result<(), ExperimentError> {
        let m = mechanism(ctx, b)?;
        r.verdicts.push(verdict(&INFO, &m, b.analysis.rule, b.analysis.k));
        r.mechanism = Some(m);
        Ok(())
    }

    /// Each setting's pooled (dimension-wise) and single-coordinate CCDFs.
    fn charts(&self, r: &Report) -> Vec<Chart> {
        let mut out = Vec::new();
        if let Some(mech) = &r.mechanism {
            for row in &mech.rows {
                out.push(ccdf_chart(
                    format!("{}: pooled coordinates (dimension-wise), CCDF", row.label),
                    &row.example_dimension,
                ));
                out.push(ccdf_chart(
                    format!("{}: one coordinate over iterations, CCDF", row.label),
                    &row.example_iteration,
                ));
            }
        }
        out
    }
}

/// Bytes the `mechanism` preset allocates (its T × d matrix of synthetic gradients, d = 4096
/// ([`MECHANISM_D`]), T = `analysis.draws`, f64), per setting, upper bound: the matrix (T d),
/// the scale and sign vectors (2 d), one coordinate's series and the example copies (2 T + d),
/// and a tail test's |x| copy and sort (2 max(T, d)): `8 (T d + 3 d + 2 T + 2 max(T, d))`.
pub fn mechanism_bytes(cfg: &ExperimentConfig) -> u64 {
    let d = MECHANISM_D as u64;
    let t = cfg.analysis.draws as u64;
    8 * (t * d + 3 * d + 2 * t + 2 * t.max(d))
}

/// Refuses the `mechanism` preset when [`mechanism_bytes`] exceeds `memory_cap` (with the range
/// checks first).
pub fn check_mechanism(cfg: &ExperimentConfig) -> Result<u64, ExperimentError> {
    cfg.check_ranges()?;
    let estimate = mechanism_bytes(cfg);
    super::super::error::check_memory(estimate, cfg.memory_cap)?;
    Ok(estimate)
}

/// Fast Walsh–Hadamard transform, normalised (orthogonal), length a power of two.
fn fwht(v: &mut [f64]) {
    let n = v.len();
    let mut h = 1;
    while h < n {
        for i in (0..n).step_by(2 * h) {
            for j in i..i + h {
                let (a, b) = (v[j], v[j + h]);
                v[j] = a + b;
                v[j + h] = a - b;
            }
        }
        h *= 2;
    }
    let s = 1.0 / (n as f64).sqrt();
    v.iter_mut().for_each(|x| *x *= s);
}

/// The mechanism demo: T = `analysis.draws` iterations of g_t = diag(k^(−s/2)) z_t,
/// z_t ~ N(0, I_d), d = 4096, so coordinate k has variance k^(−s) and is Gaussian over
/// iterations, while the pooled |g_t[k]| have density ∝ x^(−(1 + 2/s)) in the tail (the
/// scale mixture of Gaussians whose scales σ_k = k^(−s/2) satisfy #{σ_k > x} ∝ x^(−2/s)).
/// "Rotated" applies a random orthogonal map R = H·D/√d to every g_t (D random signs, H the
/// Walsh–Hadamard matrix): each rotated coordinate has variance Σ_k R_ik² k^(−s) = tr/d.
/// Dimension-wise samples: t = 0..`dim_draws`; iteration-wise: `n_tracked` coordinates spread
/// evenly over k.
fn mechanism(ctx: &mut Ctx<'_, '_>, b: &ExperimentConfig) -> Result<MechanismResult, ExperimentError> {
    check_mechanism(b)?; // T × d buffer against memory_cap, before allocating
    let d = MECHANISM_D;
    let t_len = b.analysis.draws;
    let dims = b.analysis.dim_draws.min(t_len);
    let m = b.logging.n_tracked.min(d);
    let tail = PowerLawOptions {
        bootstrap: Some(0),
        ..b.measure_params(b.training.batch_size)?.tail
    }; // rates never bootstrap
    let settings: [(&str, f64, bool); 4] = [
        ("s = 0 (isotropic)", 0.0, false),
        ("s = 1", 1.0, false),
        ("s = 1.5", 1.5, false),
        ("s = 1, randomly rotated", 1.0, true),
    ];
    let mut rows = Vec::new();
    for (si, (label, s, rotated)) in settings.iter().enumerate() {
        ctx.tick("mechanism", si as f64 / settings.len() as f64)?;
        let mut rng = substream(b.seed, MECHANISM_STREAM ^ si as u64);
        let scale: Vec<f64> = (1..=d).map(|k| libm::pow(k as f64, -s / 2.0)).collect();
        let signs: Vec<f64> = (0..d)
            .map(|_| if standard_normal(&mut rng) < 0.0 { -1.0 } else { 1.0 })
            .collect();
        let mut g = vec![0f64; t_len * d];
        for row in g.chunks_exact_mut(d) {
            for (k, x) in row.iter_mut().enumerate() {
                *x = scale[k] * standard_normal(&mut rng);
            }
            if *rotated {
                row.iter_mut().zip(&signs).for_each(|(x, s)| *x *= s);
                fwht(row);
            }
        }
        let mut dim_verdicts = Vec::new();
        let mut alphas = Vec::new();
        let mut skipped = 0;
        for t in 0..dims {
            match power_law_test(&g[t * d..(t + 1) * d], &tail, |_, _| true) {
                Ok(rep) => {
                    dim_verdicts.push(rep.power_law);
                    alphas.push(rep.alpha);
                }
                Err(_) => skipped += 1,
            }
        }
        let coords: Vec<usize> = (0..m).map(|j| j * d / m).collect();
        let series = |i: usize| -> Vec<f64> { (0..t_len).map(|t| g[t * d + i]).collect() };
        let mut it_verdicts = Vec::new();
        let mut it_skipped = 0;
        for &i in &coords {
            match power_law_test(&series(i), &tail, |_, _| true) {
                Ok(rep) => it_verdicts.push(rep.power_law),
                Err(_) => it_skipped += 1,
            }
        }
        let dim0 = g[..d].to_vec();
        let it0 = series(0);
        let example = |label: String, sample: Vec<f64>| -> Result<TailTest, ExperimentError> {
            let power_law = power_law_test(&sample, &tail, |_, _| true).map_err(MeasureError::from)?;
            Ok(TailTest::assemble(label, power_law, sample))
        };
        rows.push(MechanismRow {
            label: label.to_string(),
            s: *s,
            rotated: *rotated,
            dimension: rate_from_verdicts(&dim_verdicts, skipped),
            alpha_mean: if alphas.is_empty() {
                f64::NAN
            } else {
                alphas.iter().sum::<f64>() / alphas.len() as f64
            },
            alpha_theory: (*s > 0.0 && !rotated).then(|| 1.0 + 2.0 / s),
            iteration: rate_from_verdicts(&it_verdicts, it_skipped),
            example_dimension: example(format!("{label}: all {d} coordinates at t = 0"), dim0)?,
            example_iteration: example(format!("{label}: coordinate 0 over {t_len} iterations"), it0)?,
        });
    }
    Ok(MechanismResult { d, t: t_len, rows })
}

/// Mechanism demo: (1) s = 1 pooled is power-law in ≥ 0.5 of the draws with |α̂ − 3| ≤ 0.5;
/// (2) s = 0 pooled rate ≤ 0.2; (3) every iteration-wise rate ≤ 0.2 (Gaussianity over
/// iterations is judged by this rate only); (4) the rotation lowers the pooled rate or raises α̂ by
/// more than 0.5. The whole-sample remark (T ≤ K) only for the paper rule with T ≤ K.
pub fn verdict(info: &PresetInfo, m: &MechanismResult, rule: Rule, k: Option<usize>) -> Verdict {
    let row = |s: f64, rot: bool| m.rows.iter().find(|r| r.s == s && r.rotated == rot);
    let (Some(iso), Some(one), Some(rot)) = (row(0.0, false), row(1.0, false), row(1.0, true)) else {
        return Verdict::not_tested(
            info.claim,
            "settings",
            "Every setting of the demo ran",
            "a setting of the demo is missing",
        );
    };
    let finding = m
        .rows
        .iter()
        .map(|r| {
            format!(
                "{}: dimension-wise rate {} (mean α̂ = {:.2}{}), iteration-wise rate {}",
                r.label,
                fmt_rate(&r.dimension),
                r.alpha_mean,
                r.alpha_theory.map_or(String::new(), |a| format!(", theory {a:.2}")),
                fmt_rate(&r.iteration)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let max_iter = m.rows.iter().map(|r| rate(&r.iteration)).fold(0.0, f64::max);
    let rot_rate = Evidence::Compare {
        value: Quantity::new("pooled rate after the rotation", rate(&rot.dimension)),
        cmp: Cmp::Lt,
        bound: Quantity::new("before", rate(&one.dimension)),
    };
    let rot_alpha = Evidence::Compare {
        value: Quantity::new("α̂ after the rotation", rot.alpha_mean),
        cmp: Cmp::Gt,
        bound: Quantity::new("α̂ before + 0.5", one.alpha_mean + 0.5),
    };
    let clauses = vec![
        Clause::rate(
            "s1-rate",
            "With s = 1 the pooled coordinates are power-law in most draws",
            "s = 1 pooled",
            &one.dimension,
            Cmp::Ge,
            USUALLY,
        ),
        Clause::threshold(
            "s1-alpha",
            "Their exponent is 1 + 2/s = 3 (within 0.5)",
            Quantity::new("|α̂ − 3|", (one.alpha_mean - 3.0).abs()),
            Cmp::Le,
            0.5,
        ),
        Clause::rate(
            "s0-no-tail",
            "With s = 0 (isotropic) the pooled coordinates have no power-law tail",
            "s = 0 pooled",
            &iso.dimension,
            Cmp::Le,
            0.2,
        ),
        Clause::threshold(
            "coordinates-gaussian",
            "Every coordinate alone is not power-law over iterations",
            Quantity::new("largest iteration-wise rate", max_iter),
            Cmp::Le,
            0.2,
        ),
        Clause::decided(
            "rotation",
            "A random rotation weakens the pooled tail",
            rate(&rot.dimension) < rate(&one.dimension) || rot.alpha_mean > one.alpha_mean + 0.5,
            Evidence::AnyOf {
                items: vec![rot_rate, rot_alpha],
            },
        ),
    ];
    let mut notes = Vec::new();
    let kk = k.unwrap_or(1000);
    if rule == Rule::Paper && m.t <= kk {
        notes.push(format!(
            "T = {} iterations ≤ K = {kk}, so the iteration-wise tests are whole-sample tests",
            m.t
        ));
    }
    Verdict::from_clauses(info.claim, finding, clauses, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fwht_is_orthogonal() {
        let mut v: Vec<f64> = (0..8).map(|i| i as f64 - 3.5).collect();
        let norm: f64 = v.iter().map(|x| x * x).sum();
        fwht(&mut v);
        assert!((v.iter().map(|x| x * x).sum::<f64>() - norm).abs() < 1e-12);
        fwht(&mut v);
        for (i, x) in v.iter().enumerate() {
            assert!((x - (i as f64 - 3.5)).abs() < 1e-12);
        }
    }
}
