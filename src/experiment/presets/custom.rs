//! A user's configuration (preset name `custom`): one arm trained and measured, stated against
//! the heavy-tails and spectrum claims. `sgn-lab run --config/--url` and the page's
//! "Download report (JSON)" both build their report with [`custom_report`], so the same link
//! gives the same report in both.

use super::heavy_tails::{self, TailFacts};
use super::shared::{as_evidence, trained_of};
use super::{fill_tables, spectrum, PresetInfo};
use crate::experiment::config::{ExperimentConfig, ExperimentError};
use crate::experiment::context::{Assets, Ctx, ProgressFn};
use crate::experiment::report::{ArmResult, Report, ENGINE_VERSION, SCHEMA_VERSION};

/// Trains and measures a user configuration into its report.
pub fn run_config(
    cfg: &ExperimentConfig,
    assets: &mut Assets<'_>,
    progress: &mut ProgressFn<'_>,
) -> Result<Report, ExperimentError> {
    cfg.check_ranges()?;
    let mut ctx = Ctx::new(assets, progress, "custom", false);
    let tr = ctx.train_arm("custom", cfg)?;
    let n_classes = tr.n_classes();
    custom_report(cfg, tr.arm, n_classes)
}

/// The report of a user configuration from its one trained arm: the heavy-tail and spectrum
/// verdicts and Tables A and B. `n_classes` is the training set's number of classes (for the
/// collapsed-run note).
pub fn custom_report(cfg: &ExperimentConfig, arm: ArmResult, n_classes: usize) -> Result<Report, ExperimentError> {
    let heavy = super::find("heavy-tails")
        .map(|p| p.info())
        .ok_or_else(|| ExperimentError::Internal("no heavy-tails preset".into()))?;
    let spec: &PresetInfo = &spectrum::INFO;
    let t = trained_of(&arm)?;
    let heavy_v = heavy_tails::verdict(heavy, &TailFacts::of(t, cfg.analysis.rule, cfg.analysis.k), None);
    let heavy_v = as_evidence(heavy_v, &arm, n_classes);
    let mut r = Report {
        schema_version: SCHEMA_VERSION,
        engine_version: ENGINE_VERSION.to_string(),
        preset: "custom".into(),
        title: "Custom configuration".into(),
        claim: format!("{} {}", heavy.claim, spec.claim),
        config: cfg.clone(),
        seed: cfg.seed,
        arms: Vec::new(),
        mechanism: None,
        table_a: Vec::new(),
        table_b: Vec::new(),
        verdicts: vec![heavy_v],
        parts: Vec::new(),
        replicates: Vec::new(),
        summary: None,
    };
    if let Some(v) = spectrum::arm_verdict(spec, "trained", &arm, n_classes, cfg)? {
        r.verdicts.push(v);
    }
    r.arms.push(arm);
    fill_tables(&mut r);
    Ok(r)
}
