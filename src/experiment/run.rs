//! Running presets into [`Report`]s: a core function with no I/O. Dataset bytes come from the
//! caller's `assets` callback (the CLI reads `assets/`, the page fetches them); progress goes to
//! a callback that can cancel by returning `false`.

use super::config::TailRule;
use super::config::{ExperimentConfig, ExperimentError};
use super::measure::{measure, GradientStructure, MeasureError, TableA, TailTest};
use super::presets::{self, PRESETS};
use super::report::*;
use crate::data::{standard_normal, DatasetSpec};
use crate::libm_f64::LibmF64;
use crate::nn::{ActivationKind, ModelSpec};
use crate::rng::substream;
use crate::stats::powerlaw::{power_law_test, PowerLawOptions};
use crate::stats::{rate_from_verdicts, PowerLawRate, StatsError};
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
        if (self.progress)(&Progress {
            preset: &self.preset,
            stage,
            fraction,
        }) {
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

impl Trained {
    fn n_classes(&self) -> usize {
        self.trainer.train_data().n_classes
    }
}

/// Measures at the trainer's θ with the config's analysis and minibatch size `b`, within the
/// progress interval [f0, f1] of the current span.
fn measure_at(
    ctx: &mut Ctx<'_, '_>,
    t: &Trainer,
    cfg: &ExperimentConfig,
    b: usize,
    label: &str,
    f0: f64,
    f1: f64,
) -> Result<Measurement, ExperimentError> {
    let mc = cfg.measure_params(b)?.check(t.train_data().n)?;
    let mut cancelled = false;
    let r = measure(t, &mc, |stage, f| {
        let ok = ctx.tick(stage, f0 + (f1 - f0) * f).is_ok();
        cancelled |= !ok;
        ok
    });
    let structure = r.map_err(|e| {
        if cancelled {
            ExperimentError::Cancelled
        } else {
            e.into()
        }
    })?;
    Ok(Measurement {
        label: label.to_string(),
        structure,
    })
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
    let (train_lo, train_hi) = if cfg.analysis.measure_init {
        (0.2, 0.7)
    } else {
        (0.0, 0.7)
    };
    let kept = ctx
        .kept
        .as_ref()
        .filter(|k| k.key == key)
        .map(|k| (Rc::clone(&k.trainer), k.evals.clone()));
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
                measurements.push(measure_at(
                    ctx,
                    &trainer,
                    cfg,
                    cfg.training.batch_size,
                    "init",
                    0.0,
                    0.2,
                )?);
            }
            let mut evals = Vec::new();
            if test.n > 0 {
                evals.push(EvalPoint {
                    step: 0,
                    test: trainer.evaluate(&test)?,
                });
            }
            let total = checked.train.total_steps.max(1);
            while !trainer.is_finished() {
                trainer.run(checked.train.steps_per_epoch.max(1))?;
                if test.n > 0 {
                    evals.push(EvalPoint {
                        step: trainer.step_index(),
                        test: trainer.evaluate(&test)?,
                    });
                }
                ctx.tick(
                    "training",
                    train_lo + (train_hi - train_lo) * trainer.step_index() as f64 / total as f64,
                )?;
            }
            let trainer = Rc::new(trainer);
            if ctx.keep && ctx.kept.is_none() {
                ctx.kept = Some(Kept {
                    key,
                    trainer: Rc::clone(&trainer),
                    evals: evals.clone(),
                });
            }
            (trainer, evals)
        }
    };
    match measure_at(ctx, &trainer, cfg, cfg.training.batch_size, "trained", 0.7, 1.0) {
        Ok(m) => measurements.push(m),
        Err(ExperimentError::Measure(e)) if zero_gradient(&e) => {
            let message = zero_gradient_cause(&e, &trainer, evals.last().map(|e| e.test.accuracy), cfg);
            return Err(ExperimentError::ArmFailed {
                arm: label.to_string(),
                message,
            });
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

/// The one measurement failure that is a property of the trained network rather than of the
/// configuration: a gradient that is exactly zero — the full-batch gradient in every coordinate
/// ([`MeasureError::NoSignal`]) or a tested sample with no non-zero value at all. Every other
/// error is the configuration's or the engine's and propagates as itself.
fn zero_gradient(e: &MeasureError) -> bool {
    match e {
        MeasureError::NoSignal => true,
        MeasureError::Stats(StatsError::TooFew { got: 0, test, .. }) => test.contains("non-zero"),
        _ => false,
    }
}

/// The measured cause of a zero gradient, from the numbers: the last minibatch's loss and
/// accuracy, and [`collapse_note`] (test accuracy at chance or loss ≈ ln C) when it applies;
/// a last-minibatch loss below 10⁻³ in f32 is named as a saturated softmax (an output of exactly
/// 1 has an exactly zero gradient); otherwise the cause is not determined.
fn zero_gradient_cause(e: &MeasureError, t: &Trainer, test_accuracy: Option<f64>, cfg: &ExperimentConfig) -> String {
    let c = t.train_data().n_classes.max(2);
    let Some(s) = t.history().last() else {
        return format!("{e} (no training step was taken)");
    };
    let cause = match collapse_note(c, test_accuracy, s.loss, cfg.data.random_labels) {
        Some(note) => note,
        None if s.loss < 1e-3 && cfg.training.precision == crate::train::Precision::F32 => "the last minibatch loss is below 10⁻³ in f32: the softmax outputs are exactly 0 or 1 and their gradient is exactly zero (try f64 precision or fewer epochs)".into(),
        None => "the cause is not determined from the training numbers".into(),
    };
    format!(
        "{e}: the measured gradient is exactly zero (last minibatch loss {:.3e}, accuracy {:.3}; {cause})",
        s.loss, s.accuracy
    )
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
                    r.table_b
                        .push(TableBRow::new(format!("{} — Gaussian baseline", arm.label), b));
                }
            }
        }
    }
}

fn structure<'a>(arm: &'a ArmResult, label: &str) -> Option<&'a GradientStructure> {
    arm.measurements.iter().find(|m| m.label == label).map(|m| &m.structure)
}

fn trained_of(arm: &ArmResult) -> Result<&GradientStructure, ExperimentError> {
    structure(arm, "trained").ok_or_else(|| ExperimentError::Internal("arm without a trained measurement".into()))
}

/// " (final test accuracy 0.97)", so a collapsed run is visible next to its spectrum.
fn acc_note(arm: &ArmResult) -> String {
    arm.evals.last().map_or(String::new(), |e| {
        format!(" (final test accuracy {:.2})", e.test.accuracy)
    })
}

fn spectrum_row(s: &GradientStructure) -> Option<TableBRow> {
    s.spectrum.as_ref().map(|sp| TableBRow::new("", &sp.report))
}

/// The trained spectrum of an arm as a verdict sees it (label with the final accuracy).
fn spec_arm(label: &str, arm: &ArmResult, n_classes: usize) -> Result<Option<SpecArm>, ExperimentError> {
    Ok(spectrum_row(trained_of(arm)?).map(|row| SpecArm {
        label: format!("{label}{}", acc_note(arm)),
        row,
        collapse: arm_collapse(arm, n_classes),
    }))
}

/// [`for_each_arm`] keeping each trained arm and its spectrum.
fn spectrum_arms(
    ctx: &mut Ctx<'_, '_>,
    r: &mut Report,
    arms: &[(String, ExperimentConfig)],
) -> Result<(Vec<SpecArm>, Vec<String>), ExperimentError> {
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for_each_arm(ctx, arms, &mut failed, |label, tr| {
        if let Some(a) = spec_arm(label, &tr.arm, tr.n_classes())? {
            rows.push(a);
        }
        r.arms.push(tr.arm);
        Ok(())
    })?;
    Ok((rows, failed))
}

/// Trains each `(label, config)` arm in turn (progress slot i of n) and hands it to `each`. An arm
/// that trains but cannot be measured ([`ExperimentError::ArmFailed`]) is recorded in `failed`
/// and skipped; any other error ends the run.
fn for_each_arm<F>(
    ctx: &mut Ctx<'_, '_>,
    arms: &[(String, ExperimentConfig)],
    failed: &mut Vec<String>,
    mut each: F,
) -> Result<(), ExperimentError>
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
    format!(
        "ŝ = {:.2}, d_ks = {:.4} {} d_c = {:.4} ({}){}",
        r.s,
        r.ks_d,
        if r.ks_d < r.ks_critical { "<" } else { "≥" },
        r.ks_critical,
        if r.power_law { "power law" } else { "not power law" },
        if r.flat { ", flat" } else { "" }
    )
}

// ----- verdicts, each computed from the numbers -----

/// Fewest eigenvalues K in a spectrum fit for its verdict to be stated: with K < 10 the KS
/// critical value 1.36/√K is above 0.43 and almost any K points pass, so neither "power law" nor
/// "flat" is decided (PROTOCOL §5.4).
pub const MIN_SPECTRUM_K: usize = 10;
/// "ŝ of order 1" (the spectrum claim): 0.3 ≤ ŝ ≤ 3, i.e. not flat (ŝ ≥ 0.3, the spectrum
/// module's flat threshold) and within a factor 3 above 1.
pub const ORDER_ONE_MAX: f64 = 3.0;
/// A power-law rate at or above this is "usually power-law" (Table A verdicts).
const USUALLY: f64 = 0.5;

/// Names a collapsed training run, from its numbers: collapsed when the final test accuracy is
/// at most chance + 0.05 (chance = 1/C for C classes; not used with random labels, whose test
/// accuracy is at chance by construction) or the mean training loss at the end is within
/// 10 % of ln C (the loss of a uniform prediction). `None` when neither holds.
pub fn collapse_note(
    n_classes: usize,
    test_accuracy: Option<f64>,
    train_loss: f64,
    random_labels: bool,
) -> Option<String> {
    let c = n_classes.max(2) as f64;
    let (chance, ln_c) = (1.0 / c, c.ln_());
    let mut r = Vec::new();
    if let Some(a) = test_accuracy.filter(|a| !random_labels && *a <= chance + 0.05) {
        r.push(format!(
            "final test accuracy {a:.2} ≤ chance 1/{c} + 0.05 = {:.2}",
            chance + 0.05
        ));
    }
    if (train_loss - ln_c).abs() <= 0.1 * ln_c {
        r.push(format!(
            "training loss {train_loss:.3} ≈ ln {c} = {ln_c:.3} (a uniform prediction)"
        ));
    }
    (!r.is_empty()).then(|| format!("training collapsed ({})", r.join(", ")))
}

/// [`collapse_note`] of a trained arm (the training loss is the trained measurement's).
fn arm_collapse(arm: &ArmResult, n_classes: usize) -> Option<String> {
    let loss = structure(arm, "trained").map_or(f64::NAN, |s| s.full_loss);
    collapse_note(
        n_classes,
        arm.evals.last().map(|e| e.test.accuracy),
        loss,
        arm.config.data.random_labels,
    )
}

/// A claim's clause: `Some(true)` holds, `Some(false)` fails, `None` not tested; with its
/// sentence (which says why when it was not tested).
type Clause = (Option<bool>, String);

/// The verdict of a claim from its clauses: differs when a tested clause fails; otherwise could
/// not be tested when a clause was not tested; otherwise agrees. `why` lists every clause, then
/// `notes`.
fn from_clauses(claim: &str, finding: String, clauses: Vec<Clause>, notes: &[String]) -> Verdict {
    let fails = clauses.iter().any(|c| c.0 == Some(false));
    let untested = clauses.iter().any(|c| c.0.is_none());
    let mut parts: Vec<String> = clauses
        .into_iter()
        .map(|(ok, text)| match ok {
            Some(true) => format!("holds: {text}"),
            Some(false) => format!("fails: {text}"),
            None => format!("not tested: {text}"),
        })
        .collect();
    parts.extend(notes.iter().filter(|n| !n.is_empty()).cloned());
    let why = format!("{}.", parts.join("; "));
    if fails || !untested {
        Verdict::tested(claim, finding, !fails, why)
    } else {
        Verdict::not_tested(claim, finding, why)
    }
}

/// What the heavy-tails verdict needs from one measurement.
#[derive(Debug, Clone)]
pub(crate) struct TailFacts<'a> {
    pub table: &'a TableA,
    pub rule: TailRule,
    /// The paper rule's K (`None`: min(1000, n)).
    pub k: Option<usize>,
    /// T, logged training steps (the iteration-wise g sample length).
    pub logged_steps: usize,
    /// M, the iteration-wise SGN sample length.
    pub draws: usize,
}

impl<'a> TailFacts<'a> {
    fn of(s: &'a GradientStructure, rule: TailRule, k: Option<usize>) -> Self {
        TailFacts {
            table: &s.table_a,
            rule,
            k,
            logged_steps: s.logged_steps,
            draws: s.draws,
        }
    }
}

fn rule_label(rule: TailRule) -> &'static str {
    match rule {
        TailRule::Paper => "paper rule",
        TailRule::Clauset => "Clauset's rule",
    }
}

/// Heavy tails (Table A): dimension-wise g power-law in ≥ 0.5 of the draws; iteration-wise g and
/// iteration-wise SGN power-law in < 0.5 of the tracked parameters. A rate with nothing tested
/// (every sample skipped, or no training log for iteration-wise g) leaves its clause untested.
/// The whole-sample remarks (n ≤ K) are made only for the paper rule.
fn heavy_tails_verdict(claim: &str, f: &TailFacts<'_>, clauset: Option<&TableA>) -> Verdict {
    let ta = f.table;
    let rule = rule_label(f.rule);
    let finding = format!(
        "{rule}: dimension-wise g {}, dimension-wise SGN {}, iteration-wise g {}, iteration-wise SGN {}",
        fmt_rate(&ta.dimension_g),
        fmt_rate(&ta.dimension_sgn),
        ta.iteration_g.as_ref().map_or("–".into(), fmt_rate),
        fmt_rate(&ta.iteration_sgn)
    );
    let skipped = |r: &PowerLawRate| {
        format!(
            "all {} samples were skipped (too few non-zero or all-equal values)",
            r.skipped
        )
    };
    let dg = match ta.dimension_g.rate {
        Some(v) => (
            Some(v >= USUALLY),
            format!(
                "dimension-wise g is power-law in {v:.2} {} 0.5 of the draws",
                if v >= USUALLY { "≥" } else { "<" }
            ),
        ),
        None => (None, format!("dimension-wise g: {}", skipped(&ta.dimension_g))),
    };
    let ig = match &ta.iteration_g {
        Some(r) => match r.rate {
            Some(v) => (
                Some(v < USUALLY),
                format!(
                    "iteration-wise g is power-law in {v:.2} {} 0.5 of the tracked parameters",
                    if v < USUALLY { "<" } else { "≥" }
                ),
            ),
            None => (None, format!("iteration-wise g: {}", skipped(r))),
        },
        None => (
            None,
            "iteration-wise g: no training log (no gradient recorded along training)".to_string(),
        ),
    };
    let is = match ta.iteration_sgn.rate {
        Some(v) => (
            Some(v < USUALLY),
            format!(
                "iteration-wise SGN is power-law in {v:.2} {} 0.5 of the tracked parameters",
                if v < USUALLY { "<" } else { "≥" }
            ),
        ),
        None => (None, format!("iteration-wise SGN: {}", skipped(&ta.iteration_sgn))),
    };
    let mut notes = vec![format!(
        "(dimension-wise SGN, not part of the decision: {})",
        ta.dimension_sgn.rate.map_or("–".into(), |v| format!("{v:.2}"))
    )];
    if f.rule == TailRule::Paper {
        let kk = f.k.unwrap_or(1000);
        if f.logged_steps > 0 && f.logged_steps <= kk {
            notes.push(format!(
                "iteration-wise g has T = {} ≤ K = {kk} values, so the paper rule tests the whole sample, not a tail",
                f.logged_steps
            ));
        }
        if f.draws <= kk {
            notes.push(format!(
                "iteration-wise SGN has M = {} ≤ K = {kk} values, so the paper rule tests the whole sample, not a tail",
                f.draws
            ));
        }
    }
    if let Some(t) = clauset {
        let c_agrees = rate(&t.dimension_g) >= USUALLY
            && t.iteration_g.as_ref().is_none_or(|r| rate(r) < USUALLY)
            && rate(&t.iteration_sgn) < USUALLY;
        notes.push(format!(
            "with Clauset's rule the rates are {} / {} / {} / {}, which would {} the paper",
            fmt_rate(&t.dimension_g),
            fmt_rate(&t.dimension_sgn),
            t.iteration_g.as_ref().map_or("–".into(), fmt_rate),
            fmt_rate(&t.iteration_sgn),
            if c_agrees { "agree with" } else { "differ from" }
        ));
    }
    from_clauses(claim, finding, vec![dg, ig, is], &notes)
}

/// One spectrum as a verdict sees it: its label, its Table B row, and the collapse of its
/// training run if it collapsed ([`collapse_note`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SpecArm {
    pub label: String,
    pub row: TableBRow,
    pub collapse: Option<String>,
}

fn too_few(r: &TableBRow) -> bool {
    r.k < MIN_SPECTRUM_K
}

fn too_few_text(r: &TableBRow) -> String {
    format!(
        "too few eigenvalues (K = {} < {MIN_SPECTRUM_K}) to test a power law or flatness",
        r.k
    )
}

/// Spectrum claim: the trained spectrum (1) passes the KS test and (2) is unlike the Gaussian
/// baseline: the baseline is flat, the trained one is not, and its ŝ is larger. Not tested at
/// K < [`MIN_SPECTRUM_K`]; the baseline clause is untested without a baseline. Reported but not
/// decided: whether ŝ is of order 1 (0.3 ≤ ŝ ≤ [`ORDER_ONE_MAX`], the lab's expectation from an
/// unverified recollection of the paper's figures, `reference/paper.md` §4.4), and the θ₀
/// spectrum (the claim does not distinguish trained from initial networks).
fn spectrum_verdict(
    claim: &str,
    t: &SpecArm,
    baseline: Option<&TableBRow>,
    init: Option<&TableBRow>,
    sweep: &str,
) -> Verdict {
    let r = &t.row;
    let mut finding = format!("{}: {}", t.label, fmt_fit(r));
    if let Some(b) = baseline {
        finding += &format!("; Gaussian baseline: {}", fmt_fit(b));
    }
    if let Some(i) = init {
        finding += &format!("; at θ₀: {}", fmt_fit(i));
    }
    let mut notes = Vec::new();
    if let Some(c) = &t.collapse {
        notes.push(format!("the spectrum is of a run whose {c}"));
    }
    if too_few(r) {
        let mut why = format!(
            "the claim could not be tested on this run: {} (raise analysis.n_cov or lower analysis.spectrum_skip)",
            too_few_text(r)
        );
        for n in &notes {
            why += &format!("; {n}");
        }
        return Verdict::not_tested(claim, finding, format!("{why}."));
    }
    let pl = (
        Some(r.power_law),
        format!(
            "the KS test {} the power law (d_ks {:.4} {} d_c {:.4} at K = {})",
            if r.power_law { "accepts" } else { "rejects" },
            r.ks_d,
            if r.power_law { "<" } else { "≥" },
            r.ks_critical,
            r.k
        ),
    );
    let order = r.s >= 0.3 && r.s <= ORDER_ONE_MAX;
    notes.push(format!("ŝ = {:.2} is {} of order 1 (0.3 ≤ ŝ ≤ {ORDER_ONE_MAX}; not decided: the paper's exponents were not retrieved, order 1 is the lab's unverified expectation)", r.s, if order { "" } else { "not" }).replace("  ", " "));
    let base = match baseline {
        Some(b) if too_few(b) => (None, format!("Gaussian baseline: {}", too_few_text(b))),
        Some(b) => {
            let ok = b.flat && !r.flat && b.s < r.s;
            (
                Some(ok),
                format!(
                    "the Gaussian baseline has ŝ = {:.2} ({}) against {:.2} ({}) trained",
                    b.s,
                    if b.flat { "flat" } else { "not flat" },
                    r.s,
                    if r.flat { "flat" } else { "not flat" }
                ),
            )
        }
        None => (
            None,
            "no Gaussian baseline was computed (analysis.baseline = false)".to_string(),
        ),
    };
    if let Some(i) = init {
        notes.push(format!("the θ₀ spectrum ({}) is shown for comparison only: the claim does not say whether it holds before training", if too_few(i) { too_few_text(i) } else { fmt_fit(i) }));
    }
    notes.push(format!(
        "least-squares slope of ln λ on ln k: {:.2} (≈ −ŝ when the power law holds)",
        r.ls_slope
    ));
    if !sweep.is_empty() {
        notes.push(sweep.to_string());
    }
    from_clauses(claim, finding, vec![pl, base], &notes)
}

/// How the spectrum verdict moves with K (the sensitivity view of DESIGN §4): fits at
/// K = 25, 50, 100, 200, 400 (those ≤ rank − skip) at the run's level α, and the largest K of
/// these where the KS test passes.
fn k_sweep_sentence(r: &crate::spectrum::SpectrumReport, level: crate::stats::Level) -> String {
    let Ok(p) = crate::spectrum::FitParams::new(None, r.fit.skip, level) else {
        return String::new();
    };
    let ks: Vec<usize> = [25, 50, 100, 200, 400]
        .into_iter()
        .filter(|&k| k + r.fit.skip <= r.rank)
        .collect();
    let fits = crate::spectrum::k_sweep(&r.eigenvalues, r.rank, &p, &ks);
    if fits.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = fits
        .iter()
        .map(|f| {
            format!(
                "K = {}: ŝ = {:.2}, d_ks/d_c = {:.2} ({})",
                f.k,
                f.s,
                f.ks_d / f.ks_critical,
                if f.power_law { "PL" } else { "no" }
            )
        })
        .collect();
    let largest = fits.iter().filter(|f| f.power_law).map(|f| f.k).max();
    format!(
        "K sweep: {}; {}",
        parts.join(", "),
        largest.map_or("the power law is rejected at every K tried".to_string(), |k| format!(
            "the top {k} eigenvalues are the largest tested range that passes"
        ))
    )
}

/// "The power-law spectrum holds in every arm": every arm that could be tested passes the KS
/// test and is not flat. Arms that could not be measured or have K < [`MIN_SPECTRUM_K`] are
/// named and leave the claim untested unless a tested arm already fails; collapsed runs are
/// named.
fn spectra_all_verdict(claim: &str, arms: &[SpecArm], failed: &[String]) -> Verdict {
    let mut finding = arms
        .iter()
        .map(|a| format!("{}: {}", a.label, fmt_fit(&a.row)))
        .collect::<Vec<_>>()
        .join("; ");
    for f in failed {
        finding += &format!("{}{f}", if finding.is_empty() { "" } else { "; " });
    }
    let mut clauses: Vec<Clause> = Vec::new();
    for a in arms {
        if too_few(&a.row) {
            clauses.push((None, format!("{}: {}", a.label, too_few_text(&a.row))));
        } else {
            let ok = a.row.power_law && !a.row.flat;
            clauses.push((
                Some(ok),
                format!(
                    "{} is {} ({})",
                    a.label,
                    if ok {
                        "a non-flat power law"
                    } else {
                        "not a non-flat power law"
                    },
                    fmt_fit(&a.row)
                ),
            ));
        }
    }
    for f in failed {
        clauses.push((None, format!("could not be measured: {f}")));
    }
    if clauses.is_empty() {
        clauses.push((None, "no spectrum was measured (analysis.n_cov = 0)".into()));
    }
    let notes: Vec<String> = arms
        .iter()
        .filter_map(|a| a.collapse.as_ref().map(|c| format!("{}: {c}", a.label)))
        .collect();
    from_clauses(claim, finding, clauses, &notes)
}

/// One batch size of the sgn-batch preset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SgnRow {
    pub b: usize,
    pub rate: PowerLawRate,
    /// The example parameter's iteration-wise SGN: excess kurtosis and the number of the five
    /// Gaussianity tests (Shapiro–Wilk, D'Agostino–Pearson, Jarque–Bera, Anderson–Darling,
    /// Lilliefors) rejecting normality at α, out of those computed.
    pub gauss: Option<(f64, usize, usize)>,
}

fn gauss_of(n: &crate::stats::NormalityReport, alpha: f64) -> (f64, usize, usize) {
    let ps: Vec<f64> = [
        n.shapiro_wilk.as_ref().map(|t| t.p),
        Some(n.dagostino_pearson.p),
        Some(n.jarque_bera.p),
        Some(n.anderson_darling.p),
        Some(n.lilliefors.p),
    ]
    .into_iter()
    .flatten()
    .collect();
    (n.excess_kurtosis, ps.iter().filter(|p| **p < alpha).count(), ps.len())
}

/// SGN vs B: (1) the iteration-wise SGN rate is < 0.5 at every B; (2) it does not grow by more
/// than 0.1 from the smallest to the largest B (not heavier-tailed); (3) more Gaussian at the
/// largest B than at the smallest: |excess kurtosis| not larger and no more Gaussianity tests
/// rejecting at α (one example parameter, M draws per B).
fn sgn_batch_verdict(claim: &str, rows: &[SgnRow], draws: usize, alpha: f64) -> Verdict {
    let finding = rows
        .iter()
        .map(|r| {
            format!(
                "B = {}: iteration-wise SGN rate {}{}",
                r.b,
                fmt_rate(&r.rate),
                r.gauss.map_or(String::new(), |(k, rej, n)| format!(
                    ", example parameter: excess kurtosis {k:.2}, {rej} of {n} Gaussianity tests reject at α = {alpha}"
                ))
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let rates: Vec<f64> = rows.iter().filter_map(|r| r.rate.rate).collect();
    let c1 = if rates.is_empty() {
        (
            None,
            "no iteration-wise SGN sample could be tested at any B".to_string(),
        )
    } else {
        let max = rates.iter().cloned().fold(0.0, f64::max);
        (
            Some(max < USUALLY),
            format!(
                "the iteration-wise SGN rate is {} 0.5 at every B (max {max:.2})",
                if max < USUALLY { "below" } else { "not below" }
            ),
        )
    };
    let (first, last) = (rows.first(), rows.last().filter(|_| rows.len() >= 2));
    let c2 = match (first.and_then(|r| r.rate.rate), last.and_then(|r| r.rate.rate)) {
        (Some(a), Some(b)) => (
            Some(b <= a + 0.1),
            format!(
                "from B = {} to B = {} the rate goes {a:.2} → {b:.2} ({} by more than 0.1)",
                rows[0].b,
                rows[rows.len() - 1].b,
                if b <= a + 0.1 { "does not grow" } else { "grows" }
            ),
        ),
        _ => (
            None,
            "not heavier-tailed with B: needs rates at two batch sizes".to_string(),
        ),
    };
    let c3 = match (first.and_then(|r| r.gauss), last.and_then(|r| r.gauss)) {
        (Some((k0, r0, n0)), Some((k1, r1, n1))) => {
            let ok = k1.abs() <= k0.abs() && r1 <= r0;
            (Some(ok), format!("more Gaussian as B grows: |excess kurtosis| {:.2} → {:.2} and Gaussianity rejections {r0}/{n0} → {r1}/{n1} from the smallest to the largest B ({})", k0.abs(), k1.abs(), if ok { "both not larger" } else { "not both smaller or equal" }))
        }
        _ => (
            None,
            "more Gaussian as B grows: the Gaussianity tests need the example parameter's sample at two batch sizes"
                .to_string(),
        ),
    };
    let notes = vec![format!(
        "M = {draws} draws per B, one example parameter for the Gaussianity clause (a noisy estimate at small M)"
    )];
    from_clauses(claim, finding, vec![c1, c2, c3], &notes)
}

/// Batch sweep: every arm's spectrum is power-law and not flat ([`spectra_all_verdict`]); ŝ
/// varies by at most 50 % of its mean across B; and a larger batch gives smaller eigenvalues:
/// λ₁(C_B) strictly decreases as B grows (arms in increasing B). C_B = C₁·(N − B)/(B(N − 1)) is
/// the minibatch covariance at each arm's own trained θ.
fn batch_sweep_verdict(claim: &str, arms: &[(SpecArm, f64)], failed: &[String]) -> Verdict {
    let spec: Vec<SpecArm> = arms.iter().map(|a| a.0.clone()).collect();
    let base = spectra_all_verdict(claim, &spec, failed);
    let tested: Vec<&(SpecArm, f64)> = arms.iter().filter(|a| !too_few(&a.0.row)).collect();
    let mut finding = base.finding.clone();
    if !arms.is_empty() {
        finding += &format!(
            "; λ₁(C_B): {}",
            arms.iter()
                .map(|(a, l)| format!("{}: {l:.3e}", a.label))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    // `base` differs when a tested arm fails, is untested when an arm could not be tested.
    let mut clauses: Vec<Clause> = vec![(
        base.tested.then_some(base.agrees),
        format!("spectra: {}", base.why.trim_end_matches('.')),
    )];
    if tested.len() >= 2 {
        let ss: Vec<f64> = tested.iter().map(|a| a.0.row.s).collect();
        let mean = ss.iter().sum::<f64>() / ss.len() as f64;
        let spread = ss.iter().cloned().fold(f64::MIN, f64::max) - ss.iter().cloned().fold(f64::MAX, f64::min);
        let stable = spread <= 0.5 * mean;
        clauses.push((
            Some(stable),
            format!(
                "ŝ ranges over {spread:.2} around a mean of {mean:.2} ({} the 50 % tolerance for 'about the same')",
                if stable { "within" } else { "outside" }
            ),
        ));
    } else {
        clauses.push((
            None,
            format!("ŝ across batch sizes needs two tested arms, got {}", tested.len()),
        ));
    }
    if arms.len() >= 2 {
        let down = arms.windows(2).all(|w| w[1].1 < w[0].1);
        clauses.push((
            Some(down),
            format!(
                "λ₁(C_B) {} as B grows",
                if down { "decreases" } else { "does not decrease" }
            ),
        ));
    } else {
        clauses.push((None, "smaller eigenvalues at larger B: needs two measured arms".into()));
    }
    from_clauses(claim, finding, clauses, &[])
}

/// Depth and width: (1) every depth arm (1, 2, 4 layers of width 100) is power-law and not
/// flat ([`spectra_all_verdict`]); (2) width 10 is the least power-law: its d_ks/d_c is at least
/// that of width 30 and width 100 (depth 1); (3) wider is straighter: d_ks/d_c at width 30 is at
/// least that at width 100. Arms that could not be measured or have K < [`MIN_SPECTRUM_K`] leave
/// their clauses untested and are named.
fn depth_width_verdict(claim: &str, rows: &[SpecArm], failed: &[String]) -> Verdict {
    let depth: Vec<SpecArm> = rows.iter().filter(|a| a.label.starts_with("depth")).cloned().collect();
    let depth_failed: Vec<String> = failed.iter().filter(|f| f.starts_with("depth")).cloned().collect();
    let base = spectra_all_verdict(claim, &depth, &depth_failed);
    let mut finding = rows
        .iter()
        .map(|a| format!("{}: {}", a.label, fmt_fit(&a.row)))
        .collect::<Vec<_>>()
        .join("; ");
    for f in failed {
        finding += &format!("{}{f}", if finding.is_empty() { "" } else { "; " });
    }
    // d_ks/d_c of the arm whose label starts with `l`, or why it is missing.
    let ratio = |l: &str| -> Result<f64, String> {
        match rows.iter().find(|a| a.label.starts_with(l)) {
            Some(a) if too_few(&a.row) => Err(format!("{}: {}", a.label, too_few_text(&a.row))),
            Some(a) => Ok(a.row.ks_d / a.row.ks_critical),
            None => Err(format!("{l} could not be measured")),
        }
    };
    let mut clauses: Vec<Clause> = vec![(
        base.tested.then_some(base.agrees),
        format!("depth arms: {}", base.why.trim_end_matches('.')),
    )];
    let (w10, w30, w100) = (ratio("width 10"), ratio("width 30"), ratio("depth 1"));
    clauses.push(match (&w10, &w30, &w100) {
        (Ok(a), Ok(b), Ok(c)) => {
            let ok = a >= b && a >= c;
            (Some(ok), format!("width 10 has d_ks/d_c = {a:.2} against {b:.2} at width 30 and {c:.2} at width 100, so it is {} the least power-law", if ok { "" } else { "not" }).replace("  ", " "))
        }
        _ => (None, format!("width 10 the least power-law: {}", [&w10, &w30, &w100].iter().filter_map(|r| r.as_ref().err().cloned()).collect::<Vec<_>>().join(", "))),
    });
    clauses.push(match (&w30, &w100) {
        (Ok(b), Ok(c)) => (
            Some(b >= c),
            format!(
                "width 30 has d_ks/d_c = {b:.2} {} {c:.2} at width 100 ({})",
                if b >= c { "≥" } else { "<" },
                if b >= c {
                    "wider is straighter"
                } else {
                    "wider is not straighter"
                }
            ),
        ),
        _ => (
            None,
            format!(
                "wider is straighter: {}",
                [&w30, &w100]
                    .iter()
                    .filter_map(|r| r.as_ref().err().cloned())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
    });
    let notes: Vec<String> = rows
        .iter()
        .filter(|a| !a.label.starts_with("depth"))
        .filter_map(|a| a.collapse.as_ref().map(|c| format!("{}: {c}", a.label)))
        .collect();
    from_clauses(claim, finding, clauses, &notes)
}

/// Subspace robustness. The claim is conditional ("with a power-law spectrum"): when the trained
/// spectrum is not power-law and non-flat (or K < [`MIN_SPECTRUM_K`]) the premise does not hold
/// and the claim is not tested. Otherwise it holds when the top directions move less than the
/// lower ones (mean sin∠ over k = 1..3 below the mean over the last half of the top ones) and the
/// first is stable (sin∠ < 0.5). "Learning happens in that subspace" is not tested here.
#[allow(clippy::too_many_arguments)]
fn subspace_verdict(
    claim: &str,
    finding: String,
    spectrum: &TableBRow,
    top: f64,
    tail: f64,
    first: f64,
    delta_norm: f64,
    lam1: f64,
    collapse: Option<String>,
) -> Verdict {
    let mut notes = Vec::new();
    if delta_norm >= lam1 {
        notes.push(format!("the two halves' covariances differ by ‖ΔC‖ = {delta_norm:.3e} ≥ λ₁ = {lam1:.3e}, so no eigendirection is determined by N/2 samples (a few per-sample gradients dominate C)"));
    }
    notes.push(
        "the clause that learning happens in this subspace is an interpretation this measurement does not test".into(),
    );
    if let Some(c) = collapse {
        notes.push(format!("the network is of a run whose {c}"));
    }
    if too_few(spectrum) || !spectrum.power_law || spectrum.flat {
        let premise = if too_few(spectrum) {
            too_few_text(spectrum)
        } else {
            format!(
                "the trained spectrum is not a non-flat power law ({})",
                fmt_fit(spectrum)
            )
        };
        return Verdict::not_tested(
            claim,
            finding,
            format!(
                "the claim is conditional on a power-law spectrum, which does not hold on this run: {premise}; {}.",
                notes.join("; ")
            ),
        );
    }
    let ok = top < tail && first < 0.5;
    let c = (
        Some(ok),
        if ok {
            format!("the top directions move less ({top:.3}) than the lower ones ({tail:.3}) and the first is stable (sin∠ = {first:.3} < 0.5)")
        } else {
            format!("the top directions are not more stable than the lower ones ({top:.3} vs {tail:.3}) or the first moves by sin∠ = {first:.3} ≥ 0.5")
        },
    );
    from_clauses(claim, finding, vec![c], &notes)
}

// ----- presets -----

fn run_single(ctx: &mut Ctx<'_, '_>, name: &str, base: &ExperimentConfig) -> Result<Report, ExperimentError> {
    match run_single_inner(ctx, name, base) {
        Err(ExperimentError::ArmFailed { arm, message }) => {
            let mut r = new_report(name, base)?;
            let claim = r.claim.clone();
            r.verdicts.push(Verdict::not_tested(
                claim,
                format!("{arm} could not be measured"),
                format!("the claim could not be tested on this run: {arm}: {message}."),
            ));
            ctx.tick("done", 1.0)?;
            Ok(r)
        }
        other => other,
    }
}

/// The spectrum verdict of one trained arm (its θ₀ spectrum too when measured).
fn arm_spectrum_verdict(
    claim: &str,
    label: &str,
    arm_result: &ArmResult,
    n_classes: usize,
    cfg: &ExperimentConfig,
) -> Result<Option<Verdict>, ExperimentError> {
    let t = trained_of(arm_result)?;
    let (Some(arm), Some(sp)) = (spec_arm(label, arm_result, n_classes)?, &t.spectrum) else {
        return Ok(None);
    };
    let baseline = sp.baseline.as_ref().map(|b| TableBRow::new("baseline", b));
    let init = structure(arm_result, "init").and_then(spectrum_row);
    let sweep = k_sweep_sentence(&sp.report, super::config::level_of(cfg.analysis.level)?);
    Ok(Some(spectrum_verdict(
        claim,
        &arm,
        baseline.as_ref(),
        init.as_ref(),
        &sweep,
    )))
}

/// Training-set size N of a configuration (prepares the data; the split is cheap next to training).
fn train_size(ctx: &mut Ctx<'_, '_>, cfg: &ExperimentConfig) -> Result<usize, ExperimentError> {
    let asset = match cfg.data.dataset.asset() {
        Some(name) => Some((ctx.assets)(name).ok_or(ExperimentError::MissingAsset(name))?),
        None => None,
    };
    Ok(cfg.prepare_data(asset.as_deref())?.0.n)
}

fn run_single_inner(ctx: &mut Ctx<'_, '_>, name: &str, base: &ExperimentConfig) -> Result<Report, ExperimentError> {
    let mut r = new_report(name, base)?;
    let claim = r.claim.clone();
    ctx.preset = name.to_string();
    let b = base;
    match name {
        "heavy-tails" => {
            let old = ctx.enter(0, 2);
            let tr = train_arm(ctx, "default", b)?;
            ctx.leave(old);
            let old = ctx.enter(1, 2);
            let mut c = b.clone();
            c.analysis.rule = TailRule::Clauset;
            c.analysis.n_cov = 0;
            let cm = measure_at(
                ctx,
                &tr.trainer,
                &c,
                b.training.batch_size,
                "trained, Clauset rule",
                0.0,
                1.0,
            )?;
            ctx.leave(old);
            let paper = trained_of(&tr.arm)?;
            let mut v = heavy_tails_verdict(
                &claim,
                &TailFacts::of(paper, b.analysis.rule, b.analysis.k),
                Some(&cm.structure.table_a),
            );
            if let Some(note) = arm_collapse(&tr.arm, tr.n_classes()) {
                v.why += &format!(" The network is of a run whose {note}.");
            }
            r.verdicts.push(v);
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
            let collapse = arm_collapse(&tr.arm, tr.n_classes());
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
                let m = measure_at(
                    ctx,
                    &tr.trainer,
                    &c,
                    bs,
                    &format!("trained, B = {bs}"),
                    f0,
                    f0 + 1.0 / sizes.len() as f64,
                )?;
                let gauss = m
                    .structure
                    .iteration_sgn
                    .normality
                    .as_ref()
                    .map(|n| gauss_of(n, c.analysis.level));
                rows.push(SgnRow {
                    b: bs,
                    rate: m.structure.table_a.iteration_sgn.clone(),
                    gauss,
                });
                arm.measurements.push(m);
            }
            ctx.leave(old);
            let mut v = sgn_batch_verdict(&claim, &rows, c.analysis.draws, c.analysis.level);
            if let Some(note) = collapse {
                v.why += &format!(" The network is of a run whose {note}.");
            }
            r.verdicts.push(v);
            r.arms.push(arm);
        }
        "spectrum" => {
            let mut c = b.clone();
            c.analysis.measure_init = true;
            let tr = train_arm(ctx, "default", &c)?;
            if let Some(v) = arm_spectrum_verdict(&claim, "trained", &tr.arm, tr.n_classes(), &c)? {
                r.verdicts.push(v);
            }
            r.arms.push(tr.arm);
        }
        "batch-sweep" => {
            let n = train_size(ctx, b)?;
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
                if let (Some(a), Some(sp)) = (spec_arm(label, &tr.arm, tr.n_classes())?, &t.spectrum) {
                    let factor = sp.batch.map_or(1.0, |b| b.1);
                    rows.push((a, sp.report.eigenvalues.first().copied().unwrap_or(0.0) * factor));
                }
                r.arms.push(tr.arm);
                Ok(())
            })?;
            r.verdicts.push(batch_sweep_verdict(&claim, &rows, &failed));
        }
        "labels" => {
            let arms: [(&str, bool, f64); 3] = [
                ("clean labels", false, 0.0),
                ("random labels", true, 0.0),
                ("40 % label noise", false, 0.4),
            ];
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
            let mut v = spectra_all_verdict(&claim, &rows, &failed);
            v.why += " The parenthesis (top outliers, bending) describes what may happen and is not tested.";
            r.verdicts.push(v);
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
                    c.model = ModelSpec::Fcn {
                        hidden,
                        activation: act,
                    };
                    (label, c)
                })
                .collect();
            let (rows, failed) = spectrum_arms(ctx, &mut r, &arms)?;
            r.verdicts.push(depth_width_verdict(&claim, &rows, &failed));
        }
        "non-image" => {
            let mut c = b.clone();
            c.data.dataset = DatasetSpec::BreastCancer;
            c.data.n_train = None;
            c.data.n_test = None;
            c.model = ModelSpec::Fcn {
                hidden: vec![100, 100],
                activation: ActivationKind::Relu,
            };
            c.training.epochs = b.training.epochs;
            c.training.batch_size = b.training.batch_size.min(64);
            c.analysis.n_cov = b.analysis.n_cov.min(455);
            // This small table is fitted perfectly within a few epochs; in f32 the softmax then
            // saturates and many per-sample gradients are exactly zero, so measure in f64.
            c.training.precision = crate::train::Precision::F64;
            let tr = train_arm(ctx, "breast-cancer, FCN 30→100→100→2", &c)?;
            if let Some(v) = arm_spectrum_verdict(&claim, "trained", &tr.arm, tr.n_classes(), &c)? {
                r.verdicts.push(v);
            }
            r.config = c;
            r.arms.push(tr.arm);
        }
        "mechanism" => {
            let m = mechanism(ctx, b)?;
            r.verdicts
                .push(mechanism_verdict(&claim, &m, b.analysis.rule, b.analysis.k));
            r.mechanism = Some(m);
        }
        "subspace" => {
            let mut c = b.clone();
            c.analysis.davis_kahan_top = 20.min(b.analysis.n_cov / 4).max(4);
            let tr = train_arm(ctx, "default", &c)?;
            let t = trained_of(&tr.arm)?;
            if let Some(sp) = &t.spectrum {
                if let Some(dk) = &sp.davis_kahan {
                    let mean = |v: &[f64]| {
                        if v.is_empty() {
                            f64::NAN
                        } else {
                            v.iter().sum::<f64>() / v.len() as f64
                        }
                    };
                    let n = dk.sin_angle.len();
                    let top = mean(&dk.sin_angle[..3.min(n)]);
                    let tail = mean(&dk.sin_angle[n.saturating_sub(n / 2)..]);
                    let share10 = sp.theory.trace_share.get(9).copied().unwrap_or(1.0);
                    let first = dk.sin_angle.first().copied().unwrap_or(f64::NAN);
                    let lam1 = dk.lambda_a.first().copied().unwrap_or(f64::NAN);
                    let finding = format!(
                        "sin∠(u_k, ũ_k) between two halves of N = {}: mean {top:.3} over k = 1..3, {tail:.3} over the last {} of the top {n}; sin∠ at k = 1: {first:.3}; top-10 trace share {:.0} %; effective rank {:.1}; ‖ΔC‖ = {:.3e} against λ₁(C_a) = {lam1:.3e}",
                        dk.n_a + dk.n_b,
                        n / 2,
                        100.0 * share10,
                        sp.theory.effective_rank,
                        dk.delta_norm,
                    );
                    r.verdicts.push(subspace_verdict(
                        &claim,
                        finding,
                        &TableBRow::new("trained", &sp.report),
                        top,
                        tail,
                        first,
                        dk.delta_norm,
                        lam1,
                        arm_collapse(&tr.arm, tr.n_classes()),
                    ));
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
    super::config::check_mechanism(b)?; // T × d buffer against memory_cap, before allocating
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
fn mechanism_verdict(claim: &str, m: &MechanismResult, rule: TailRule, k: Option<usize>) -> Verdict {
    let row = |s: f64, rot: bool| m.rows.iter().find(|r| r.s == s && r.rotated == rot);
    let (Some(iso), Some(one), Some(rot)) = (row(0.0, false), row(1.0, false), row(1.0, true)) else {
        return Verdict::not_tested(
            claim,
            "incomplete",
            "a setting of the demo is missing, so the claim could not be tested.",
        );
    };
    let one_ok = rate(&one.dimension) >= USUALLY && (one.alpha_mean - 3.0).abs() <= 0.5;
    let iso_ok = rate(&iso.dimension) <= 0.2;
    let iter_ok = m.rows.iter().all(|r| rate(&r.iteration) <= 0.2);
    let rot_ok = rate(&rot.dimension) < rate(&one.dimension) || rot.alpha_mean > one.alpha_mean + 0.5;
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
    let clauses = vec![
        (
            Some(one_ok),
            format!(
                "s = 1 pooled is power-law in {:.2} of the draws with α̂ = {:.2} vs 1 + 2/s = 3 ({})",
                rate(&one.dimension),
                one.alpha_mean,
                if one_ok {
                    "as predicted"
                } else {
                    "not as predicted: needs rate ≥ 0.5 and |α̂ − 3| ≤ 0.5"
                }
            ),
        ),
        (
            Some(iso_ok),
            format!(
                "s = 0 pooled rate {:.2} ({})",
                rate(&iso.dimension),
                if iso_ok {
                    "no tail, as predicted"
                } else {
                    "above 0.2, not as predicted"
                }
            ),
        ),
        (
            Some(iter_ok),
            format!(
                "iteration-wise power-law rates are {} 0.2 (Gaussianity over iterations is judged by this rate)",
                if iter_ok { "all ≤" } else { "not all ≤" }
            ),
        ),
        (
            Some(rot_ok),
            format!(
                "the rotation moves the rate {:.2} → {:.2} and α̂ {:.2} → {:.2} ({})",
                rate(&one.dimension),
                rate(&rot.dimension),
                one.alpha_mean,
                rot.alpha_mean,
                if rot_ok { "weaker tail" } else { "not weaker" }
            ),
        ),
    ];
    let mut notes = Vec::new();
    let kk = k.unwrap_or(1000);
    if rule == TailRule::Paper && m.t <= kk {
        notes.push(format!(
            "T = {} iterations ≤ K = {kk}, so the iteration-wise tests are whole-sample tests",
            m.t
        ));
    }
    from_clauses(claim, finding, clauses, &notes)
}

/// The tour's verdict: agrees when every part's claim agrees; differs when a part differs;
/// otherwise (some part could not be tested, none differs) not tested.
fn tour_verdict(claim: &str, parts: &[Report]) -> Verdict {
    let all: Vec<&Verdict> = parts.iter().flat_map(|p| &p.verdicts).collect();
    let agree = all.iter().filter(|v| v.agrees).count();
    let untested = all.iter().filter(|v| !v.tested).count();
    let differ = all.len() - agree - untested;
    let finding = format!(
        "{agree} of {} claims agree with the paper, {differ} differ, {untested} could not be tested",
        all.len()
    );
    let why = parts
        .iter()
        .flat_map(|p| p.verdicts.iter().map(move |v| format!("{}: {}", p.preset, v.outcome())))
        .collect::<Vec<_>>()
        .join("; ");
    if differ > 0 || untested == 0 {
        Verdict::tested(claim, finding, differ == 0 && !all.is_empty(), why)
    } else {
        Verdict::not_tested(claim, finding, why)
    }
}

/// Runs the preset `name` (see [`PRESETS`]) on top of `base` — the presets change only the knob
/// they study, so a small `base` (e.g. 8×8 digits, narrow network, few epochs) gives a reduced
/// run. `assets` returns the bytes of a file under `assets/`; `progress` is called between
/// units of work and cancels the run by returning `false`.
pub fn run_preset(
    name: &str,
    base: &ExperimentConfig,
    assets: &mut Assets<'_>,
    progress: &mut ProgressFn<'_>,
) -> Result<Report, ExperimentError> {
    base.check_ranges()?;
    let mut ctx = Ctx {
        assets,
        progress,
        preset: name.to_string(),
        lo: 0.0,
        hi: 1.0,
        keep: name == "paper-tour",
        kept: None,
    };
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
        r.verdicts.push(tour_verdict(&r.claim, &r.parts));
        return Ok(r);
    }
    run_single(&mut ctx, name, base)
}

/// Runs a user configuration (preset name `custom`): trains, measures at the end (and at θ₀ if
/// asked), and states the heavy-tail and spectrum verdicts.
pub fn run_config(
    cfg: &ExperimentConfig,
    assets: &mut Assets<'_>,
    progress: &mut ProgressFn<'_>,
) -> Result<Report, ExperimentError> {
    cfg.check_ranges()?;
    let mut ctx = Ctx {
        assets,
        progress,
        preset: "custom".into(),
        lo: 0.0,
        hi: 1.0,
        keep: false,
        kept: None,
    };
    let tr = train_arm(&mut ctx, "custom", cfg)?;
    let n_classes = tr.n_classes();
    custom_report(cfg, tr.arm, n_classes)
}

/// The report of a user configuration (preset `custom`) from its one trained arm: the
/// heavy-tail and spectrum verdicts and Tables A and B. The CLI's `run --config` and the page's
/// "Download report (JSON)" both build their report here, so they share the schema.
/// `n_classes` is the training set's number of classes (for the collapsed-run note).
pub fn custom_report(cfg: &ExperimentConfig, arm: ArmResult, n_classes: usize) -> Result<Report, ExperimentError> {
    let heavy = presets::find("heavy-tails").map_or("", |p| p.claim);
    let spec = presets::find("spectrum").map_or("", |p| p.claim);
    let t = trained_of(&arm)?;
    let mut heavy_v = heavy_tails_verdict(heavy, &TailFacts::of(t, cfg.analysis.rule, cfg.analysis.k), None);
    if let Some(note) = arm_collapse(&arm, n_classes) {
        heavy_v.why += &format!(" The network is of a run whose {note}.");
    }
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
        verdicts: vec![heavy_v],
        parts: Vec::new(),
    };
    if let Some(v) = arm_spectrum_verdict(spec, "trained", &arm, n_classes, cfg)? {
        r.verdicts.push(v);
    }
    r.arms.push(arm);
    fill_tables(&mut r);
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pl_rate(pl: usize, tested: usize) -> PowerLawRate {
        let v: Vec<bool> = (0..tested).map(|i| i < pl).collect();
        rate_from_verdicts(&v, 0)
    }

    fn table(dg: f64, ig: Option<f64>, is: f64) -> TableA {
        let r = |x: f64| pl_rate((x * 10.0).round() as usize, 10);
        TableA {
            dimension_g: r(dg),
            dimension_sgn: r(0.0),
            iteration_g: ig.map(r),
            iteration_sgn: r(is),
        }
    }

    fn row(k: usize, s: f64, power_law: bool) -> TableBRow {
        TableBRow {
            setting: String::new(),
            k,
            ks_d: if power_law { 0.05 } else { 0.3 },
            ks_critical: 0.1,
            power_law,
            beta: 1.0 + 1.0 / s,
            beta_stderr: 0.1,
            s,
            ls_slope: -s,
            flat: s < 0.3,
        }
    }

    fn arm(label: &str, k: usize, s: f64, power_law: bool) -> SpecArm {
        SpecArm {
            label: label.into(),
            row: row(k, s, power_law),
            collapse: None,
        }
    }

    fn facts(t: &TableA, rule: TailRule, logged_steps: usize) -> TailFacts<'_> {
        TailFacts {
            table: t,
            rule,
            k: None,
            logged_steps,
            draws: 60,
        }
    }

    #[test]
    fn heavy_tails_agrees_differs_and_is_untested_by_the_rates() {
        let t = table(1.0, Some(0.0), 0.1);
        let v = heavy_tails_verdict("c", &facts(&t, TailRule::Paper, 62), None);
        assert!(v.tested && v.agrees, "{v:?}");
        let t = table(0.2, Some(0.0), 0.1);
        let v = heavy_tails_verdict("c", &facts(&t, TailRule::Paper, 62), None);
        assert!(
            v.tested && !v.agrees && v.why.contains("fails: dimension-wise g is power-law in 0.20 < 0.5"),
            "{v:?}"
        );
        // No training log: the iteration-wise g clause is untested, the others hold.
        let t = table(1.0, None, 0.1);
        let v = heavy_tails_verdict("c", &facts(&t, TailRule::Paper, 0), None);
        assert!(
            !v.tested && !v.agrees && v.why.contains("not tested: iteration-wise g: no training log"),
            "{v:?}"
        );
        assert_eq!(v.outcome(), "could not be tested");
        // A failing clause makes it differ even when another is untested.
        let t = table(1.0, None, 0.9);
        assert!(heavy_tails_verdict("c", &facts(&t, TailRule::Paper, 0), None).tested);
    }

    #[test]
    fn whole_sample_remarks_only_for_the_paper_rule_and_n_at_most_k() {
        let t = table(1.0, Some(0.0), 0.0);
        let v = heavy_tails_verdict("c", &facts(&t, TailRule::Paper, 62), None);
        assert!(
            v.finding.starts_with("paper rule:") && v.why.contains("T = 62 ≤ K = 1000"),
            "{v:?}"
        );
        let v = heavy_tails_verdict("c", &facts(&t, TailRule::Paper, 2000), None);
        assert!(!v.why.contains("T = 2000"), "{}", v.why);
        let v = heavy_tails_verdict("c", &facts(&t, TailRule::Clauset, 62), None);
        assert!(
            v.finding.starts_with("Clauset's rule:") && !v.finding.contains("paper rule"),
            "{}",
            v.finding
        );
        assert!(!v.why.contains("whole sample"), "{}", v.why);
    }

    #[test]
    fn spectrum_verdict_tests_power_law_order_one_and_baseline() {
        let base = row(50, 0.1, false);
        let v = spectrum_verdict("c", &arm("trained", 50, 1.1, true), Some(&base), None, "");
        assert!(v.tested && v.agrees, "{v:?}");
        // ŝ of order 1 is reported, not decided (not a clause of the paper's claim).
        let v = spectrum_verdict("c", &arm("trained", 50, 4.8, true), Some(&base), None, "");
        assert!(
            v.tested && v.agrees && v.why.contains("ŝ = 4.80 is not of order 1"),
            "{v:?}"
        );
        let v = spectrum_verdict("c", &arm("trained", 50, 1.1, false), Some(&base), None, "");
        assert!(
            v.tested && !v.agrees && v.why.contains("fails: the KS test rejects"),
            "{v:?}"
        );
        // A baseline that is not flat: no contrast.
        let v = spectrum_verdict(
            "c",
            &arm("trained", 50, 1.1, true),
            Some(&row(50, 0.9, false)),
            None,
            "",
        );
        assert!(!v.agrees && v.why.contains("fails: the Gaussian baseline"), "{v:?}");
        let v = spectrum_verdict("c", &arm("trained", 5, 1.1, true), Some(&base), None, "");
        assert!(!v.tested && v.why.contains("too few eigenvalues (K = 5 < 10)"), "{v:?}");
        // No baseline: that clause untested; θ₀ reported, not decided.
        let v = spectrum_verdict(
            "c",
            &arm("trained", 50, 1.1, true),
            None,
            Some(&row(50, 4.0, false)),
            "",
        );
        assert!(
            !v.tested && v.why.contains("no Gaussian baseline") && v.why.contains("θ₀"),
            "{v:?}"
        );
        let mut a = arm("trained", 50, 1.1, true);
        a.collapse = collapse_note(10, Some(0.1), 2.3, false);
        assert!(spectrum_verdict("c", &a, Some(&base), None, "")
            .why
            .contains("training collapsed"));
    }

    #[test]
    fn collapse_from_accuracy_or_loss() {
        assert!(collapse_note(10, Some(0.14), 0.5, false).is_some());
        assert!(collapse_note(10, Some(0.16), 0.5, false).is_none());
        assert!(collapse_note(10, Some(0.9), 2.2, false).is_some_and(|n| n.contains("ln 10")));
        // Random labels: test accuracy at chance is by construction, only the loss counts.
        assert!(collapse_note(10, Some(0.1), 0.5, true).is_none());
    }

    #[test]
    fn only_an_exactly_zero_gradient_is_an_arm_failure() {
        assert!(zero_gradient(&MeasureError::NoSignal));
        assert!(zero_gradient(&MeasureError::Stats(StatsError::TooFew {
            test: "power-law test (non-zero values)",
            needed: 10,
            got: 0
        })));
        assert!(!zero_gradient(&MeasureError::Stats(StatsError::TooFew {
            test: "power-law test (non-zero values)",
            needed: 50,
            got: 20
        })));
        assert!(!zero_gradient(&MeasureError::Spectrum(
            crate::spectrum::SpectrumError::InvalidParam("K".into())
        )));
        assert!(!zero_gradient(&MeasureError::OutOfRange {
            field: "n_cov",
            value: 1,
            range: "2..".into()
        }));
    }

    #[test]
    fn spectra_all_and_depth_width_name_every_arm() {
        let ok = [arm("a", 50, 1.0, true), arm("b", 50, 1.2, true)];
        let v = spectra_all_verdict("c", &ok, &[]);
        assert!(v.tested && v.agrees);
        let v = spectra_all_verdict("c", &[arm("a", 50, 1.0, true), arm("b", 50, 4.0, false)], &[]);
        assert!(v.tested && !v.agrees);
        let v = spectra_all_verdict("c", &ok, &["c: zero gradient".into()]);
        assert!(
            !v.tested && v.why.contains("could not be measured: c: zero gradient"),
            "{v:?}"
        );
        let v = spectra_all_verdict("c", &[arm("a", 50, 1.0, true), arm("b", 4, 1.0, true)], &[]);
        assert!(!v.tested && v.why.contains("K = 4"));
        assert!(!spectra_all_verdict("c", &[], &[]).tested);

        let dw = |w10_pl: bool| {
            vec![
                arm("depth 1 (width 100)", 50, 1.0, true),
                arm("depth 2 (width 100)", 50, 1.0, true),
                arm("depth 4 (width 100)", 50, 1.0, true),
                SpecArm {
                    row: TableBRow {
                        ks_d: if w10_pl { 0.01 } else { 0.5 },
                        ..row(50, 1.0, w10_pl)
                    },
                    ..arm("width 10 (depth 1)", 50, 1.0, w10_pl)
                },
                SpecArm {
                    row: TableBRow {
                        ks_d: 0.07,
                        ..row(50, 1.0, true)
                    },
                    ..arm("width 30 (depth 1)", 50, 1.0, true)
                },
            ]
        };
        let v = depth_width_verdict("c", &dw(false), &[]);
        assert!(v.tested && v.agrees, "{v:?}");
        let v = depth_width_verdict("c", &dw(true), &[]);
        assert!(v.tested && !v.agrees && v.why.contains("not the least"), "{v:?}");
        let mut rows = dw(false);
        rows.remove(4);
        let v = depth_width_verdict("c", &rows, &["width 30 (depth 1): zero gradient".into()]);
        assert!(
            !v.tested
                && v.finding.contains("width 30 (depth 1): zero gradient")
                && v.why.contains("width 30 could not be measured"),
            "{v:?}"
        );
    }

    #[test]
    fn sgn_batch_uses_the_gaussianity_tests() {
        let r = |b, k: f64, rej| SgnRow {
            b,
            rate: pl_rate(0, 20),
            gauss: Some((k, rej, 5)),
        };
        let v = sgn_batch_verdict("c", &[r(8, 1.4, 3), r(32, 0.6, 2), r(128, 0.3, 2)], 60, 0.05);
        assert!(v.tested && v.agrees, "{v:?}");
        let v = sgn_batch_verdict("c", &[r(8, 0.3, 1), r(128, 1.4, 3)], 60, 0.05);
        assert!(v.tested && !v.agrees && v.why.contains("fails: more Gaussian"), "{v:?}");
        let v = sgn_batch_verdict(
            "c",
            &[
                SgnRow {
                    gauss: None,
                    ..r(8, 0.0, 0)
                },
                r(128, 0.3, 0),
            ],
            60,
            0.05,
        );
        assert!(!v.tested, "{v:?}");
        let heavy = SgnRow {
            rate: pl_rate(15, 20),
            ..r(128, 0.3, 0)
        };
        assert!(!sgn_batch_verdict("c", &[r(8, 1.0, 1), heavy], 60, 0.05).agrees);
    }

    #[test]
    fn batch_sweep_tests_exponent_and_smaller_eigenvalues() {
        let a = |l: &str, s: f64, lam1: f64| (arm(l, 50, s, true), lam1);
        let v = batch_sweep_verdict("c", &[a("B = 32", 1.0, 4.0), a("B = 128", 1.1, 1.0)], &[]);
        assert!(v.tested && v.agrees, "{v:?}");
        let v = batch_sweep_verdict("c", &[a("B = 32", 1.0, 1.0), a("B = 128", 1.1, 1.5)], &[]);
        assert!(
            v.tested && !v.agrees && v.why.contains("fails: λ₁(C_B) does not decrease"),
            "{v:?}"
        );
        let v = batch_sweep_verdict("c", &[a("B = 32", 1.0, 4.0), a("B = 128", 3.0, 1.0)], &[]);
        assert!(v.tested && !v.agrees && v.why.contains("outside the 50 %"), "{v:?}");
        let v = batch_sweep_verdict("c", &[a("B = 32", 1.0, 1.0)], &[]);
        assert!(!v.tested && v.why.contains("needs two tested arms"), "{v:?}");
    }

    #[test]
    fn subspace_needs_its_premise_and_tour_counts_untested() {
        let v = subspace_verdict("c", "f".into(), &row(50, 4.0, false), 0.1, 0.9, 0.1, 1.0, 2.0, None);
        assert!(!v.tested && v.why.contains("conditional"), "{v:?}");
        let v = subspace_verdict("c", "f".into(), &row(50, 1.0, true), 0.1, 0.9, 0.1, 1.0, 2.0, None);
        assert!(v.tested && v.agrees);
        let v = subspace_verdict("c", "f".into(), &row(50, 1.0, true), 0.9, 0.5, 0.9, 1.0, 2.0, None);
        assert!(v.tested && !v.agrees);

        let part = |v: Verdict| {
            let mut r = new_report("spectrum", &ExperimentConfig::default()).unwrap();
            r.verdicts.push(v);
            r
        };
        let yes = || Verdict::tested("c", "f", true, "w");
        let t = tour_verdict("all", &[part(yes()), part(Verdict::not_tested("c", "f", "w"))]);
        assert!(
            !t.tested && t.finding == "1 of 2 claims agree with the paper, 0 differ, 1 could not be tested",
            "{t:?}"
        );
        let t = tour_verdict("all", &[part(yes()), part(Verdict::tested("c", "f", false, "w"))]);
        assert!(t.tested && !t.agrees);
        assert!(tour_verdict("all", &[part(yes())]).agrees);
    }
}
