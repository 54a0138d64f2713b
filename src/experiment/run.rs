//! Running presets into [`Report`]s: a core function with no I/O. Dataset bytes come from the
//! caller's `assets` callback (the CLI reads `assets/`, the page fetches them); progress goes to
//! a callback that can cancel by returning `false`.

use super::config::{ExperimentConfig, ExperimentError};
use super::measure::{measure, GradientStructure, TailTest};
use super::presets::{self, PRESETS};
use super::report::*;
use crate::data::{standard_normal, DatasetSpec};
use crate::nn::{ActivationKind, ModelSpec};
use crate::rng::substream;
use crate::stats::powerlaw::{power_law_test, PowerLawOptions};
use crate::stats::rate_from_verdicts;
use crate::train::Trainer;
use std::rc::Rc;

/// Random stream of the mechanism demo.
const MECHANISM_STREAM: u64 = 0x4d45_4348;

/// Where a run is.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress<'a> {
    pub preset: &'a str,
    pub stage: &'a str,
    /// Fraction of the whole run done, in [0, 1].
    pub fraction: f64,
}

/// Asset loader: file name under `assets/` → bytes.
pub type Assets<'a> = dyn FnMut(&str) -> Option<Vec<u8>> + 'a;
/// Progress callback; `false` cancels.
pub type ProgressFn<'a> = dyn FnMut(&Progress<'_>) -> bool + 'a;

struct Ctx<'a, 'b> {
    assets: &'a mut Assets<'a>,
    progress: &'b mut ProgressFn<'b>,
    preset: String,
    lo: f64,
    hi: f64,
    /// The whole tour keeps its first trained network for reuse (see [`Kept`]); single presets
    /// train every arm.
    keep: bool,
    kept: Option<Kept>,
}

/// A trained network kept for later arms of the same run. Training is a deterministic function
/// of the data, the checked training configuration and the seed (DESIGN §8), so an arm whose
/// `key` matches continues from this network instead of retraining and gets the same numbers;
/// its measurements are still made with its own analysis settings. The tour trains the default
/// network in seven presets (heavy tails, SGN vs B, spectrum, B = 128, clean labels, depth 2,
/// subspace): the first one is kept, which bounds the extra memory to one network.
struct Kept {
    key: String,
    trainer: Rc<Trainer>,
    evals: Vec<EvalPoint>,
}

impl Ctx<'_, '_> {
    fn tick(&mut self, stage: &str, f: f64) -> Result<(), ExperimentError> {
        let fraction = (self.lo + (self.hi - self.lo) * f.clamp(0.0, 1.0)).clamp(0.0, 1.0);
        if (self.progress)(&Progress { preset: &self.preset, stage, fraction }) {
            Ok(())
        } else {
            Err(ExperimentError::Cancelled)
        }
    }

    /// Restricts progress to the sub-interval [i/n, (i+1)/n] of the current one; returns the old one.
    fn enter(&mut self, i: usize, n: usize) -> (f64, f64) {
        let old = (self.lo, self.hi);
        let w = (self.hi - self.lo) / n.max(1) as f64;
        self.lo = old.0 + w * i as f64;
        self.hi = self.lo + w;
        old
    }

    fn leave(&mut self, old: (f64, f64)) {
        self.lo = old.0;
        self.hi = old.1;
    }
}

struct Trained {
    trainer: Rc<Trainer>,
    arm: ArmResult,
}

fn rule_name(cfg: &ExperimentConfig) -> String {
    format!("{:?}, α = {}", cfg.analysis.rule, cfg.analysis.level).to_lowercase()
}

/// Measures at the trainer's θ with the config's analysis and minibatch size `b`, within the
/// progress interval [f0, f1] of the current span.
fn measure_at(ctx: &mut Ctx<'_, '_>, t: &Trainer, cfg: &ExperimentConfig, b: usize, label: &str, f0: f64, f1: f64) -> Result<Measurement, ExperimentError> {
    let mc = cfg.measure_params(b)?.check(t.train_data().n)?;
    let mut cancelled = false;
    let r = measure(t, &mc, |stage, f| {
        let ok = ctx.tick(stage, f0 + (f1 - f0) * f).is_ok();
        cancelled |= !ok;
        ok
    });
    let structure = r.map_err(|e| if cancelled { ExperimentError::Cancelled } else { e.into() })?;
    Ok(Measurement { label: label.to_string(), structure })
}

/// Prepares the data, checks the configuration, trains (test evaluation after every epoch) and
/// measures at θ₀ (if `analysis.measure_init`) and at the end.
fn train_arm(ctx: &mut Ctx<'_, '_>, label: &str, cfg: &ExperimentConfig) -> Result<Trained, ExperimentError> {
    ctx.tick("data", 0.0)?;
    let asset = match cfg.data.dataset.asset() {
        Some(name) => Some((ctx.assets)(name).ok_or(ExperimentError::MissingAsset(name))?),
        None => None,
    };
    let (train, test) = cfg.prepare_data(asset.as_deref())?;
    let checked = cfg.check(&train)?;
    // The checked config (N_cov capped at N) is what the measurements use.
    let cfg = &checked.config;
    let (n_train, n_test) = (train.n, test.n);
    let key = format!("{:?}|{:?}|{:?}", cfg.data.dataset, cfg.prepare_params(), checked.train);
    let mut measurements = Vec::new();
    let (train_lo, train_hi) = if cfg.analysis.measure_init { (0.2, 0.7) } else { (0.0, 0.7) };
    let kept = ctx.kept.as_ref().filter(|k| k.key == key).map(|k| (Rc::clone(&k.trainer), k.evals.clone()));
    let (trainer, evals) = match kept {
        Some(kept) => {
            // θ₀ is needed only for a measurement there (training from it is what is reused).
            if cfg.analysis.measure_init {
                let init = Trainer::new(checked.train.clone(), train)?;
                measurements.push(measure_at(ctx, &init, cfg, cfg.training.batch_size, "init", 0.0, 0.2)?);
            }
            ctx.tick("training (the same network as an earlier step: reused)", train_hi)?;
            kept
        }
        None => {
            let mut trainer = Trainer::new(checked.train.clone(), train)?;
            if cfg.analysis.measure_init {
                measurements.push(measure_at(ctx, &trainer, cfg, cfg.training.batch_size, "init", 0.0, 0.2)?);
            }
            let mut evals = Vec::new();
            if test.n > 0 {
                evals.push(EvalPoint { step: 0, test: trainer.evaluate(&test)? });
            }
            let total = checked.train.total_steps.max(1);
            while !trainer.is_finished() {
                trainer.run(checked.train.steps_per_epoch.max(1))?;
                if test.n > 0 {
                    evals.push(EvalPoint { step: trainer.step_index(), test: trainer.evaluate(&test)? });
                }
                ctx.tick("training", train_lo + (train_hi - train_lo) * trainer.step_index() as f64 / total as f64)?;
            }
            let trainer = Rc::new(trainer);
            if ctx.keep && ctx.kept.is_none() {
                ctx.kept = Some(Kept { key, trainer: Rc::clone(&trainer), evals: evals.clone() });
            }
            (trainer, evals)
        }
    };
    match measure_at(ctx, &trainer, cfg, cfg.training.batch_size, "trained", 0.7, 1.0) {
        Ok(m) => measurements.push(m),
        Err(ExperimentError::Measure(e)) => {
            let k = trainer.train_data().n_classes.max(2) as f64;
            let last = trainer.history().last().map_or(String::new(), |s| {
                let cause = if s.loss > 0.5 * k.ln() {
                    format!("training collapsed: loss ≈ ln K = {:.2} and chance accuracy, i.e. dead ReLUs and a zero gradient", k.ln())
                } else {
                    "the training set is fitted so well that the f32 softmax saturates and every gradient is exactly zero".into()
                };
                format!(" (last minibatch loss {:.3e}, accuracy {:.3}: {cause})", s.loss, s.accuracy)
            });
            return Err(ExperimentError::ArmFailed { arm: label.to_string(), message: format!("{e}{last}") });
        }
        Err(e) => return Err(e),
    }
    let arm = ArmResult {
        label: label.to_string(),
        config: cfg.clone(),
        n_params: checked.train.n_params,
        n_train,
        n_test,
        history: trainer.history().to_vec(),
        evals,
        measurements,
    };
    Ok(Trained { trainer, arm })
}

fn new_report(name: &str, base: &ExperimentConfig) -> Result<Report, ExperimentError> {
    let info = presets::find(name).ok_or_else(|| ExperimentError::UnknownPreset(name.to_string()))?;
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        engine_version: ENGINE_VERSION.to_string(),
        preset: info.name.to_string(),
        title: info.title.to_string(),
        claim: info.claim.to_string(),
        config: base.clone(),
        seed: base.seed,
        arms: Vec::new(),
        mechanism: None,
        table_a: Vec::new(),
        table_b: Vec::new(),
        verdicts: Vec::new(),
        parts: Vec::new(),
    })
}

/// Fills Tables A and B from the arms' measurements.
fn fill_tables(r: &mut Report) {
    for arm in &r.arms {
        for m in &arm.measurements {
            let s = &m.structure;
            let setting = format!("{} — {} (step {})", arm.label, m.label, s.step);
            r.table_a.push(TableARow {
                setting: setting.clone(),
                rule: format!("{:?}", s.dimension_g.power_law.rule).to_lowercase(),
                dimension_g: s.table_a.dimension_g.clone(),
                dimension_sgn: s.table_a.dimension_sgn.clone(),
                iteration_g: s.table_a.iteration_g.clone(),
                iteration_sgn: s.table_a.iteration_sgn.clone(),
            });
            if let Some(sp) = &s.spectrum {
                r.table_b.push(TableBRow::new(setting.clone(), &sp.report));
                if let Some(b) = &sp.baseline {
                    r.table_b.push(TableBRow::new(format!("{} — Gaussian baseline", arm.label), b));
                }
            }
        }
    }
}

fn structure<'a>(arm: &'a ArmResult, label: &str) -> Option<&'a GradientStructure> {
    arm.measurements.iter().find(|m| m.label == label).map(|m| &m.structure)
}

fn trained_of(arm: &ArmResult) -> Result<&GradientStructure, ExperimentError> {
    structure(arm, "trained").ok_or_else(|| ExperimentError::Json("internal: arm without a trained measurement".into()))
}

/// " (final test accuracy 0.97)", so a collapsed run is visible next to its spectrum.
fn acc_note(arm: &ArmResult) -> String {
    arm.evals.last().map_or(String::new(), |e| format!(" (final test accuracy {:.2})", e.test.accuracy))
}

fn spectrum_row(s: &GradientStructure) -> Option<TableBRow> {
    s.spectrum.as_ref().map(|sp| TableBRow::new("", &sp.report))
}

/// Table B rows labelled by their arm.
type LabelledRows = Vec<(String, TableBRow)>;

/// [`for_each_arm`] keeping each trained arm and its Table B row (label with the final accuracy).
fn spectrum_arms(ctx: &mut Ctx<'_, '_>, r: &mut Report, arms: &[(String, ExperimentConfig)]) -> Result<(LabelledRows, Vec<String>), ExperimentError> {
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for_each_arm(ctx, arms, &mut failed, |label, tr| {
        if let Some(row) = spectrum_row(trained_of(&tr.arm)?) {
            rows.push((format!("{label}{}", acc_note(&tr.arm)), row));
        }
        r.arms.push(tr.arm);
        Ok(())
    })?;
    Ok((rows, failed))
}

/// Trains each `(label, config)` arm in turn (progress slot i of n) and hands it to `each`. An arm
/// that trains but cannot be measured ([`ExperimentError::ArmFailed`]) is recorded in `failed`
/// and skipped; any other error ends the run.
fn for_each_arm<F>(ctx: &mut Ctx<'_, '_>, arms: &[(String, ExperimentConfig)], failed: &mut Vec<String>, mut each: F) -> Result<(), ExperimentError>
where
    F: FnMut(&str, Trained) -> Result<(), ExperimentError>,
{
    for (i, (label, cfg)) in arms.iter().enumerate() {
        let old = ctx.enter(i, arms.len());
        let tr = train_arm(ctx, label, cfg);
        ctx.leave(old);
        match tr {
            Err(ExperimentError::ArmFailed { arm, message }) => failed.push(format!("{arm}: {message}")),
            tr => each(label, tr?)?,
        }
    }
    Ok(())
}

fn fmt_fit(r: &TableBRow) -> String {
    format!("ŝ = {:.2}, d_ks = {:.4} {} d_c = {:.4} ({}){}", r.s, r.ks_d, if r.ks_d < r.ks_critical { "<" } else { "≥" }, r.ks_critical, if r.power_law { "power law" } else { "not power law" }, if r.flat { ", flat" } else { "" })
}

// ----- verdicts, each computed from the numbers -----

fn heavy_tails_verdict(claim: &str, paper: &GradientStructure, clauset: Option<&GradientStructure>, k: Option<usize>) -> Verdict {
    let ta = &paper.table_a;
    let (dg, ds, is) = (rate(&ta.dimension_g), rate(&ta.dimension_sgn), rate(&ta.iteration_sgn));
    let ig = ta.iteration_g.as_ref().map(rate);
    let agrees = dg >= 0.5 && ig.is_none_or(|v| v < 0.5) && is < 0.5;
    let finding = format!(
        "paper rule: dimension-wise g {}, dimension-wise SGN {}, iteration-wise g {}, iteration-wise SGN {}",
        fmt_rate(&ta.dimension_g),
        fmt_rate(&ta.dimension_sgn),
        ta.iteration_g.as_ref().map_or("–".into(), fmt_rate),
        fmt_rate(&ta.iteration_sgn)
    );
    let mut why = if agrees {
        format!("dimension-wise g is judged power-law in {dg:.2} ≥ 0.5 of the draws while iteration-wise g ({}) and iteration-wise SGN ({is:.2}) are below 0.5", ig.map_or("–".into(), |v| format!("{v:.2}")))
    } else {
        let mut reasons = Vec::new();
        if dg < 0.5 {
            reasons.push(format!("dimension-wise g is power-law in only {dg:.2} < 0.5 of the draws"));
        }
        if let Some(v) = ig.filter(|v| *v >= 0.5) {
            reasons.push(format!("iteration-wise g is power-law in {v:.2} ≥ 0.5 of the tracked parameters"));
        }
        if is >= 0.5 {
            reasons.push(format!("iteration-wise SGN is power-law in {is:.2} ≥ 0.5 of the tracked parameters"));
        }
        reasons.join("; ")
    };
    why += &format!(" (dimension-wise SGN: {ds:.2}).");
    let kk = k.unwrap_or(1000);
    if paper.logged_steps > 0 && paper.logged_steps <= kk {
        why += &format!(" Iteration-wise g has T = {} ≤ K = {kk} values, so the paper rule tests the whole sample, not a tail.", paper.logged_steps);
    }
    if paper.draws <= kk {
        why += &format!(" Iteration-wise SGN has M = {} ≤ K values (whole-sample test).", paper.draws);
    }
    if let Some(c) = clauset {
        let t = &c.table_a;
        let c_agrees = rate(&t.dimension_g) >= 0.5 && t.iteration_g.as_ref().is_none_or(|r| rate(r) < 0.5) && rate(&t.iteration_sgn) < 0.5;
        why += &format!(
            " With Clauset's rule the rates are {} / {} / {} / {}, which would {} the paper.",
            fmt_rate(&t.dimension_g),
            fmt_rate(&t.dimension_sgn),
            t.iteration_g.as_ref().map_or("–".into(), fmt_rate),
            fmt_rate(&t.iteration_sgn),
            if c_agrees { "agree with" } else { "differ from" }
        );
    }
    Verdict { claim: claim.to_string(), finding, agrees, why }
}

fn spectrum_verdict(claim: &str, s: &GradientStructure, init: Option<&GradientStructure>) -> Option<Verdict> {
    let sp = s.spectrum.as_ref()?;
    let t = TableBRow::new("trained", &sp.report);
    let b = sp.baseline.as_ref().map(|b| TableBRow::new("baseline", b));
    let above = b.as_ref().is_none_or(|b| b.s < t.s);
    let agrees = t.power_law && !t.flat && above;
    let mut finding = format!("trained: {}", fmt_fit(&t));
    if let Some(b) = &b {
        finding += &format!("; Gaussian baseline: {}", fmt_fit(b));
    }
    if let Some(i) = init.and_then(spectrum_row) {
        finding += &format!("; at θ₀: {}", fmt_fit(&i));
    }
    let why = if agrees {
        format!("the trained spectrum passes the KS test (d_ks {:.4} < d_c {:.4}) with ŝ = {:.2} ≥ 0.3 (not flat){}", t.ks_d, t.ks_critical, t.s, b.as_ref().map_or(String::new(), |b| format!(", above the baseline's ŝ = {:.2}", b.s)))
    } else {
        let mut r = Vec::new();
        if !t.power_law {
            r.push(format!("the KS test rejects the power law (d_ks {:.4} ≥ d_c {:.4} at K = {})", t.ks_d, t.ks_critical, t.k));
        }
        if t.flat {
            r.push(format!("ŝ = {:.2} < 0.3 is flat", t.s));
        }
        if !above {
            r.push(format!("ŝ = {:.2} is not above the Gaussian baseline's {:.2}", t.s, b.as_ref().map_or(f64::NAN, |b| b.s)));
        }
        r.join("; ")
    };
    let sweep = k_sweep_sentence(&sp.report);
    Some(Verdict { claim: claim.to_string(), finding, agrees, why: format!("{why}. Least-squares slope of ln λ on ln k: {:.2} (≈ −ŝ when the power law holds). {sweep}", t.ls_slope) })
}

/// How the spectrum verdict moves with K (the sensitivity view of DESIGN §4): fits at
/// K = 25, 50, 100, 200, 400 (those ≤ rank) and the largest K of these where the KS test passes.
fn k_sweep_sentence(r: &crate::spectrum::SpectrumReport) -> String {
    let Ok(p) = crate::spectrum::FitParams::new(None, r.fit.skip, crate::stats::Level::P05) else { return String::new() };
    let ks: Vec<usize> = [25, 50, 100, 200, 400].into_iter().filter(|&k| k + r.fit.skip <= r.rank).collect();
    let fits = crate::spectrum::k_sweep(&r.eigenvalues, r.rank, &p, &ks);
    if fits.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = fits.iter().map(|f| format!("K = {}: ŝ = {:.2}, d_ks/d_c = {:.2} ({})", f.k, f.s, f.ks_d / f.ks_critical, if f.power_law { "PL" } else { "no" })).collect();
    let largest = fits.iter().filter(|f| f.power_law).map(|f| f.k).max();
    format!(
        "K sweep: {}; {}.",
        parts.join(", "),
        largest.map_or("the power law is rejected at every K tried".to_string(), |k| format!("the top {k} eigenvalues are the largest tested range that passes"))
    )
}

fn spectra_all_verdict(claim: &str, rows: &[(String, TableBRow)], failed: &[String]) -> Verdict {
    let mut bad: Vec<String> = rows.iter().filter(|(_, r)| !r.power_law || r.flat).map(|(l, r)| format!("{l} ({})", fmt_fit(r))).collect();
    bad.extend(failed.iter().map(|f| format!("could not be measured: {f}")));
    let mut finding = rows.iter().map(|(l, r)| format!("{l}: {}", fmt_fit(r))).collect::<Vec<_>>().join("; ");
    for f in failed {
        finding += &format!("; {f}");
    }
    let agrees = !rows.is_empty() && bad.is_empty();

    let why = if agrees {
        "every spectrum passes the KS test with ŝ ≥ 0.3".to_string()
    } else if rows.is_empty() {
        "no spectrum was measured (analysis.n_cov = 0)".into()
    } else {
        format!("not power-law or flat: {}", bad.join("; "))
    };
    Verdict { claim: claim.to_string(), finding, agrees, why }
}

// ----- presets -----

fn run_single(ctx: &mut Ctx<'_, '_>, name: &str, base: &ExperimentConfig) -> Result<Report, ExperimentError> {
    match run_single_inner(ctx, name, base) {
        Err(ExperimentError::ArmFailed { arm, message }) => {
            let mut r = new_report(name, base)?;
            r.verdicts.push(Verdict {
                claim: r.claim.clone(),
                finding: format!("{arm} could not be measured: {message}"),
                agrees: false,
                why: "the claim could not be tested on this run: every coordinate of the measured gradient is exactly zero (see the cause in the finding; try a smaller learning rate, fewer epochs or f64 precision)".into(),
            });
            ctx.tick("done", 1.0)?;
            Ok(r)
        }
        other => other,
    }
}

fn run_single_inner(ctx: &mut Ctx<'_, '_>, name: &str, base: &ExperimentConfig) -> Result<Report, ExperimentError> {
    let mut r = new_report(name, base)?;
    let claim = r.claim.clone();
    ctx.preset = name.to_string();
    let b = base;
    let n_train_hint = b.data.n_train;
    match name {
        "heavy-tails" => {
            let old = ctx.enter(0, 2);
            let tr = train_arm(ctx, "default", b)?;
            ctx.leave(old);
            let old = ctx.enter(1, 2);
            let mut c = b.clone();
            c.analysis.rule = super::config::TailRule::Clauset;
            c.analysis.n_cov = 0;
            let cm = measure_at(ctx, &tr.trainer, &c, b.training.batch_size, "trained, Clauset rule", 0.0, 1.0)?;
            ctx.leave(old);
            let paper = trained_of(&tr.arm)?.clone();
            r.verdicts.push(heavy_tails_verdict(&claim, &paper, Some(&cm.structure), b.analysis.k));
            let mut arm = tr.arm;
            arm.measurements.push(cm);
            r.arms.push(arm);
        }
        "sgn-batch" => {
            let mut c = b.clone();
            c.analysis.n_cov = 0;
            let old = ctx.enter(0, 2);
            let tr = train_arm(ctx, "default", &c)?;
            ctx.leave(old);
            let n = tr.trainer.train_data().n;
            let mut sizes: Vec<usize> = [8, 32, 128, 512].into_iter().filter(|&s| s <= n / 2).collect();
            if sizes.is_empty() {
                sizes.push(1.max(n / 2));
            }
            let mut arm = tr.arm;
            let mut rows = Vec::new();
            let old = ctx.enter(1, 2);
            for (i, &bs) in sizes.iter().enumerate() {
                let f0 = i as f64 / sizes.len() as f64;
                let m = measure_at(ctx, &tr.trainer, &c, bs, &format!("trained, B = {bs}"), f0, f0 + 1.0 / sizes.len() as f64)?;
                let kurt = m.structure.iteration_sgn.normality.as_ref().map(|n| n.excess_kurtosis);
                rows.push((bs, rate(&m.structure.table_a.iteration_sgn), m.structure.table_a.iteration_sgn.clone(), kurt));
                arm.measurements.push(m);
            }
            ctx.leave(old);
            let max_rate = rows.iter().map(|r| r.1).fold(0.0, f64::max);
            let (first, last) = (rows[0].1, rows[rows.len() - 1].1);
            let agrees = max_rate < 0.5 && last <= first + 0.1;
            let finding = rows
                .iter()
                .map(|(bs, _, rr, k)| format!("B = {bs}: iteration-wise SGN rate {}{}", fmt_rate(rr), k.map_or(String::new(), |k| format!(", excess kurtosis of parameter 0: {k:.2}"))))
                .collect::<Vec<_>>()
                .join("; ");
            let why = if agrees {
                format!("the iteration-wise SGN rate stays below 0.5 at every B (max {max_rate:.2}) and does not grow from the smallest to the largest B ({first:.2} → {last:.2})")
            } else if max_rate >= 0.5 {
                format!("the iteration-wise SGN rate reaches {max_rate:.2} ≥ 0.5 at some B")
            } else {
                format!("the iteration-wise SGN rate grows with B ({first:.2} → {last:.2}, more than 0.1)")
            };
            r.verdicts.push(Verdict { claim, finding, agrees, why: format!("{why}; M = {} draws per B (whole-sample test when M ≤ K).", c.analysis.draws) });
            r.arms.push(arm);
        }
        "spectrum" => {
            let mut c = b.clone();
            c.analysis.measure_init = true;
            let tr = train_arm(ctx, "default", &c)?;
            let t = trained_of(&tr.arm)?;
            if let Some(v) = spectrum_verdict(&claim, t, structure(&tr.arm, "init")) {
                r.verdicts.push(v);
            }
            r.arms.push(tr.arm);
        }
        "batch-sweep" => {
            let n = n_train_hint.unwrap_or(8000);
            let mut sizes: Vec<usize> = [32, 128, 512].into_iter().filter(|&s| s <= n / 2).collect();
            if sizes.is_empty() {
                sizes.push(b.training.batch_size);
            }
            let arms: Vec<(String, ExperimentConfig)> = sizes
                .iter()
                .map(|&bs| {
                    let mut c = b.clone();
                    c.training.batch_size = bs;
                    (format!("B = {bs}"), c)
                })
                .collect();
            let mut rows = Vec::new();
            let mut failed = Vec::new();
            for_each_arm(ctx, &arms, &mut failed, |label, tr| {
                let t = trained_of(&tr.arm)?;
                if let (Some(row), Some(sp)) = (spectrum_row(t), &t.spectrum) {
                    let lam1 = sp.report.eigenvalues.first().copied().unwrap_or(0.0) * sp.batch.map_or(1.0, |b| b.1);
                    rows.push((format!("{label}{}", acc_note(&tr.arm)), row, lam1));
                }
                r.arms.push(tr.arm);
                Ok(())
            })?;
            let labelled: Vec<(String, TableBRow)> = rows.iter().map(|(l, row, _)| (l.clone(), row.clone())).collect();
            let mut v = spectra_all_verdict(&claim, &labelled, &failed);
            let ss: Vec<f64> = rows.iter().map(|r| r.1.s).collect();
            if !ss.is_empty() {
                let mean = ss.iter().sum::<f64>() / ss.len() as f64;
                let spread = ss.iter().cloned().fold(f64::MIN, f64::max) - ss.iter().cloned().fold(f64::MAX, f64::min);
                let stable = spread <= 0.5 * mean;
                v.agrees &= stable;
                v.finding += &format!("; λ₁ of C_B: {}", rows.iter().map(|(bs, _, l)| format!("{bs}: {l:.3e}")).collect::<Vec<_>>().join(", "));
                v.why += &format!("; ŝ ranges over {spread:.2} around a mean of {mean:.2} ({} the 50 % tolerance for 'about the same').", if stable { "within" } else { "outside" });
            }
            r.verdicts.push(v);
        }
        "labels" => {
            let arms: [(&str, bool, f64); 3] = [("clean labels", false, 0.0), ("random labels", true, 0.0), ("40 % label noise", false, 0.4)];
            let arms: Vec<(String, ExperimentConfig)> = arms
                .iter()
                .map(|(label, random, noise)| {
                    let mut c = b.clone();
                    c.data.random_labels = *random;
                    c.data.label_noise = *noise;
                    (label.to_string(), c)
                })
                .collect();
            let (rows, failed) = spectrum_arms(ctx, &mut r, &arms)?;
            r.verdicts.push(spectra_all_verdict(&claim, &rows, &failed));
        }
        "depth-width" => {
            let act = b.model.activation();
            let arms: Vec<(String, Vec<usize>)> = vec![
                ("depth 1 (width 100)".into(), vec![100]),
                ("depth 2 (width 100)".into(), vec![100, 100]),
                ("depth 4 (width 100)".into(), vec![100; 4]),
                ("width 10 (depth 1)".into(), vec![10]),
                ("width 30 (depth 1)".into(), vec![30]),
            ];
            let arms: Vec<(String, ExperimentConfig)> = arms
                .into_iter()
                .map(|(label, hidden)| {
                    let mut c = b.clone();
                    c.model = ModelSpec::Fcn { hidden, activation: act };
                    (label, c)
                })
                .collect();
            let (rows, failed) = spectrum_arms(ctx, &mut r, &arms)?;
            let depth: Vec<(String, TableBRow)> = rows.iter().filter(|(l, _)| l.starts_with("depth")).cloned().collect();
            let mut v = spectra_all_verdict(&claim, &depth, &failed);
            let ratio = |l: &str| rows.iter().find(|(x, _)| x.starts_with(l)).map(|(_, r)| r.ks_d / r.ks_critical);
            if let (Some(w10), Some(w100)) = (ratio("width 10"), ratio("depth 1")) {
                let narrow_worse = w10 >= w100;
                v.agrees &= narrow_worse;
                v.finding = rows.iter().map(|(l, r)| format!("{l}: {}", fmt_fit(r))).collect::<Vec<_>>().join("; ");
                v.why = format!(
                    "depth arms: {}; width 10 has d_ks/d_c = {w10:.2} against {w100:.2} at width 100, so the narrow network is {} power-law",
                    if depth.iter().all(|(_, r)| r.power_law && !r.flat) { "all power-law and not flat" } else { "not all power-law and non-flat" },
                    if narrow_worse { "less" } else { "not less" }
                );
            }
            r.verdicts.push(v);
        }
        "non-image" => {
            let mut c = b.clone();
            c.data.dataset = DatasetSpec::BreastCancer;
            c.data.n_train = None;
            c.data.n_test = None;
            c.model = ModelSpec::Fcn { hidden: vec![100, 100], activation: ActivationKind::Relu };
            c.training.epochs = b.training.epochs;
            c.training.batch_size = b.training.batch_size.min(64);
            c.analysis.n_cov = b.analysis.n_cov.min(455);
            // This small table is fitted perfectly within a few epochs; in f32 the softmax then
            // saturates and many per-sample gradients are exactly zero, so measure in f64.
            c.training.precision = crate::train::Precision::F64;
            let tr = train_arm(ctx, "breast-cancer, FCN 30→100→100→2", &c)?;
            if let Some(v) = spectrum_verdict(&claim, trained_of(&tr.arm)?, None) {
                r.verdicts.push(v);
            }
            r.config = c;
            r.arms.push(tr.arm);
        }
        "mechanism" => {
            let m = mechanism(ctx, b)?;
            r.verdicts.push(mechanism_verdict(&claim, &m));
            r.mechanism = Some(m);
        }
        "subspace" => {
            let mut c = b.clone();
            c.analysis.davis_kahan_top = 20.min(b.analysis.n_cov / 4).max(4);
            let tr = train_arm(ctx, "default", &c)?;
            let t = trained_of(&tr.arm)?;
            if let Some(sp) = &t.spectrum {
                if let Some(dk) = &sp.davis_kahan {
                    let mean = |v: &[f64]| if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 };
                    let n = dk.sin_angle.len();
                    let top = mean(&dk.sin_angle[..3.min(n)]);
                    let tail = mean(&dk.sin_angle[n.saturating_sub(n / 2)..]);
                    let share10 = sp.theory.trace_share.get(9).copied().unwrap_or(1.0);
                    let agrees = top < tail && dk.sin_angle.first().is_some_and(|&s| s < 0.5);
                    r.verdicts.push(Verdict {
                        claim: claim.clone(),
                        finding: format!(
                            "sin∠(u_k, ũ_k) between two halves of N = {}: mean {top:.3} over k = 1..3, {tail:.3} over the last {} of the top {n}; sin∠ at k = 1: {:.3}; top-10 trace share {:.0} %; effective rank {:.1}; ‖ΔC‖ = {:.3e} against λ₁(C_a) = {:.3e}",
                            dk.n_a + dk.n_b,
                            n / 2,
                            dk.sin_angle.first().copied().unwrap_or(f64::NAN),
                            100.0 * share10,
                            sp.theory.effective_rank,
                            dk.delta_norm,
                            dk.lambda_a.first().copied().unwrap_or(f64::NAN)
                        ),
                        agrees,
                        why: {
                            let lam1 = dk.lambda_a.first().copied().unwrap_or(f64::NAN);
                            let mut w = if agrees {
                                format!("the top directions move less ({top:.3}) than the lower ones ({tail:.3}) and the first is stable (sin∠ < 0.5)")
                            } else {
                                format!("the top directions are not more stable than the lower ones ({top:.3} vs {tail:.3}) or the first moves by sin∠ ≥ 0.5")
                            };
                            if dk.delta_norm >= lam1 {
                                w += &format!("; the two halves' covariances differ by ‖ΔC‖ = {:.3e} ≥ λ₁ = {lam1:.3e}, so no eigendirection is determined by N/2 samples (a few per-sample gradients dominate C)", dk.delta_norm);
                            }
                            w
                        },
                    });
                }
            }
            r.arms.push(tr.arm);
        }
        other => return Err(ExperimentError::UnknownPreset(other.to_string())),
    }
    fill_tables(&mut r);
    ctx.tick("done", 1.0)?;
    Ok(r)
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

/// Coordinates of the mechanism demo.
pub const MECHANISM_D: usize = 4096;

/// The mechanism demo (DESIGN §4): T = `analysis.draws` iterations of g_t = diag(k^(−s/2)) z_t,
/// z_t ~ N(0, I_d), d = 4096, so coordinate k has variance k^(−s) and is Gaussian over
/// iterations, while the pooled |g_t[k]| have density ∝ x^(−(1 + 2/s)) in the tail (the
/// scale mixture of Gaussians whose scales σ_k = k^(−s/2) satisfy #{σ_k > x} ∝ x^(−2/s)).
/// "Rotated" applies a random orthogonal map R = H·D/√d to every g_t (D random signs, H the
/// Walsh–Hadamard matrix): each rotated coordinate has variance Σ_k R_ik² k^(−s) = tr/d.
/// Dimension-wise samples: t = 0..`dim_draws`; iteration-wise: `n_tracked` coordinates spread
/// evenly over k.
fn mechanism(ctx: &mut Ctx<'_, '_>, b: &ExperimentConfig) -> Result<MechanismResult, ExperimentError> {
    let d = MECHANISM_D;
    let t_len = b.analysis.draws;
    let dims = b.analysis.dim_draws.min(t_len);
    let m = b.logging.n_tracked.min(d);
    let tail: PowerLawOptions = b.measure_params(b.training.batch_size)?.tail;
    let settings: [(&str, f64, bool); 4] = [("s = 0 (isotropic)", 0.0, false), ("s = 1", 1.0, false), ("s = 1.5", 1.5, false), ("s = 1, randomly rotated", 1.0, true)];
    let mut rows = Vec::new();
    for (si, (label, s, rotated)) in settings.iter().enumerate() {
        ctx.tick("mechanism", si as f64 / settings.len() as f64)?;
        let mut rng = substream(b.seed, MECHANISM_STREAM ^ si as u64);
        let scale: Vec<f64> = (1..=d).map(|k| libm::pow(k as f64, -s / 2.0)).collect();
        let signs: Vec<f64> = (0..d).map(|_| if standard_normal(&mut rng) < 0.0 { -1.0 } else { 1.0 }).collect();
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
            let power_law = power_law_test(&sample, &tail, |_, _| true).map_err(|e| ExperimentError::Json(e.to_string()))?;
            Ok(TailTest::assemble(label, power_law, sample))
        };
        rows.push(MechanismRow {
            label: label.to_string(),
            s: *s,
            rotated: *rotated,
            dimension: rate_from_verdicts(&dim_verdicts, skipped),
            alpha_mean: if alphas.is_empty() { f64::NAN } else { alphas.iter().sum::<f64>() / alphas.len() as f64 },
            alpha_theory: (*s > 0.0 && !rotated).then(|| 1.0 + 2.0 / s),
            iteration: rate_from_verdicts(&it_verdicts, it_skipped),
            example_dimension: example(format!("{label}: all {d} coordinates at t = 0"), dim0)?,
            example_iteration: example(format!("{label}: coordinate 0 over {t_len} iterations"), it0)?,
        });
    }
    Ok(MechanismResult { d, t: t_len, rows })
}

fn mechanism_verdict(claim: &str, m: &MechanismResult) -> Verdict {
    let row = |s: f64, rot: bool| m.rows.iter().find(|r| r.s == s && r.rotated == rot);
    let (Some(iso), Some(one), Some(rot)) = (row(0.0, false), row(1.0, false), row(1.0, true)) else {
        return Verdict { claim: claim.into(), finding: "incomplete".into(), agrees: false, why: "a setting is missing".into() };
    };
    let one_ok = rate(&one.dimension) >= 0.5 && (one.alpha_mean - 3.0).abs() <= 0.5;
    let iso_ok = rate(&iso.dimension) <= 0.2;
    let iter_ok = m.rows.iter().all(|r| rate(&r.iteration) <= 0.2);
    let rot_ok = rate(&rot.dimension) < rate(&one.dimension) || rot.alpha_mean > one.alpha_mean + 0.5;
    let agrees = one_ok && iso_ok && iter_ok && rot_ok;
    let finding = m
        .rows
        .iter()
        .map(|r| format!("{}: dimension-wise rate {} (mean α̂ = {:.2}{}), iteration-wise rate {}", r.label, fmt_rate(&r.dimension), r.alpha_mean, r.alpha_theory.map_or(String::new(), |a| format!(", theory {a:.2}")), fmt_rate(&r.iteration)))
        .collect::<Vec<_>>()
        .join("; ");
    let mut parts = vec![
        format!("s = 1 pooled is power-law in {:.2} of the draws with α̂ = {:.2} vs 1 + 2/s = 3 ({})", rate(&one.dimension), one.alpha_mean, if one_ok { "as predicted" } else { "not as predicted: needs rate ≥ 0.5 and |α̂ − 3| ≤ 0.5" }),
        format!("s = 0 pooled rate {:.2} ({})", rate(&iso.dimension), if iso_ok { "no tail, as predicted" } else { "above 0.2, not as predicted" }),
        format!("iteration-wise rates are {} 0.2", if iter_ok { "all ≤" } else { "not all ≤" }),
        format!("the rotation moves the rate {:.2} → {:.2} and α̂ {:.2} → {:.2} ({})", rate(&one.dimension), rate(&rot.dimension), one.alpha_mean, rot.alpha_mean, if rot_ok { "weaker tail" } else { "not weaker" }),
    ];
    parts.push(format!("T = {} iterations ≤ K, so the iteration-wise tests are whole-sample tests", m.t));
    Verdict { claim: claim.into(), finding, agrees, why: parts.join("; ") }
}

/// Runs the preset `name` (see [`PRESETS`]) on top of `base` — the presets change only the knob
/// they study, so a small `base` (e.g. 8×8 digits, narrow network, few epochs) gives a reduced
/// run. `assets` returns the bytes of a file under `assets/`; `progress` is called between
/// units of work and cancels the run by returning `false`.
pub fn run_preset(name: &str, base: &ExperimentConfig, assets: &mut Assets<'_>, progress: &mut ProgressFn<'_>) -> Result<Report, ExperimentError> {
    base.check_ranges()?;
    let mut ctx = Ctx { assets, progress, preset: name.to_string(), lo: 0.0, hi: 1.0, keep: name == "paper-tour", kept: None };
    if name == "paper-tour" {
        let mut r = new_report(name, base)?;
        let list: Vec<&str> = PRESETS.iter().map(|p| p.name).filter(|n| *n != "paper-tour").collect();
        for (i, p) in list.iter().enumerate() {
            let old = ctx.enter(i, list.len());
            let part = run_single(&mut ctx, p, base)?;
            ctx.leave(old);
            r.parts.push(part);
        }
        ctx.preset = name.to_string();
        let agree = r.parts.iter().flat_map(|p| &p.verdicts).filter(|v| v.agrees).count();
        let total = r.parts.iter().map(|p| p.verdicts.len()).sum::<usize>();
        r.verdicts.push(Verdict {
            claim: r.claim.clone(),
            finding: format!("{agree} of {total} claims agree with the paper"),
            agrees: agree == total,
            why: r.parts.iter().flat_map(|p| p.verdicts.iter().map(move |v| format!("{}: {}", p.preset, v.outcome()))).collect::<Vec<_>>().join("; "),
        });
        return Ok(r);
    }
    run_single(&mut ctx, name, base)
}

/// Runs a user configuration (preset name `custom`): trains, measures at the end (and at θ₀ if
/// asked), and states the heavy-tail and spectrum verdicts.
pub fn run_config(cfg: &ExperimentConfig, assets: &mut Assets<'_>, progress: &mut ProgressFn<'_>) -> Result<Report, ExperimentError> {
    cfg.check_ranges()?;
    let mut ctx = Ctx { assets, progress, preset: "custom".into(), lo: 0.0, hi: 1.0, keep: false, kept: None };
    let tr = train_arm(&mut ctx, "custom", cfg)?;
    custom_report(cfg, tr.arm)
}

/// The report of a user configuration (preset `custom`) from its one trained arm: the
/// heavy-tail and spectrum verdicts and Tables A and B. The CLI's `run --config` and the page's
/// "Download report (JSON)" both build their report here, so they share the schema.
pub fn custom_report(cfg: &ExperimentConfig, arm: ArmResult) -> Result<Report, ExperimentError> {
    let heavy = presets::find("heavy-tails").map_or("", |p| p.claim);
    let spec = presets::find("spectrum").map_or("", |p| p.claim);
    let t = trained_of(&arm)?;
    let mut r = Report {
        schema_version: SCHEMA_VERSION,
        engine_version: ENGINE_VERSION.to_string(),
        preset: "custom".into(),
        title: "Custom configuration".into(),
        claim: format!("{heavy} {spec}"),
        config: cfg.clone(),
        seed: cfg.seed,
        arms: Vec::new(),
        mechanism: None,
        table_a: Vec::new(),
        table_b: Vec::new(),
        verdicts: vec![heavy_tails_verdict(heavy, t, None, cfg.analysis.k)],
        parts: Vec::new(),
    };
    if let Some(v) = spectrum_verdict(spec, t, structure(&arm, "init")) {
        r.verdicts.push(v);
    }
    let _ = rule_name(cfg);
    r.arms.push(arm);
    fill_tables(&mut r);
    Ok(r)
}
