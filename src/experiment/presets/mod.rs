//! The presets: each tests one claim of Xie et al. (2023) (or the lab's mechanism demo) and is
//! one type implementing [`Preset`], in one file of this folder. [`REGISTRY`] is the only list
//! of them: the CLI (`sgn-lab presets`, `sgn-lab run --preset`), the page's tour (names, titles,
//! the assets a step fetches, its charts) and `www/` all read it. Adding a preset is one new
//! file and one line in [`REGISTRY`] (walk-through in `docs/ARCHITECTURE.md`).

pub mod batch_sweep;
pub mod custom;
pub mod depth_width;
pub mod heavy_tails;
pub mod labels;
pub mod mechanism;
pub mod non_image;
pub mod sgn_batch;
pub mod shared;
pub mod spectrum;
pub mod subspace;
pub mod tour;
pub mod units;

use super::config::{ExperimentConfig, ExperimentError};
use super::context::{Assets, Ctx, ProgressFn};
use super::report::summarize;
use super::report::{Report, TableARow, TableBRow, ENGINE_VERSION, SCHEMA_VERSION};
use super::verdict::Verdict;
use crate::data::DatasetSpec;
use crate::plot::Chart;
use serde::Serialize;

/// A preset's description: what it tests and how, shown by the CLI and the page's tour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PresetInfo {
    pub name: &'static str,
    pub title: &'static str,
    /// The claim tested, in one sentence.
    pub claim: &'static str,
    /// Where the claim comes from ([P] the paper, [R] a review of it, [S] the authors' sibling
    /// paper on parameter spectra, [I] the lab's inference; `docs/PROTOCOL.md` §5.4).
    pub source: &'static str,
    /// What the preset varies.
    pub varies: &'static str,
    /// What to look at in the result (shown by the page's tour).
    pub look: &'static str,
    /// The claim as a finding, to complete "In 9 of 10 runs …, as the paper says".
    pub finding: &'static str,
    /// What at lab scale most likely explains a disagreement with the paper (shown when a claim
    /// differs or is mixed).
    pub lab_scale: &'static str,
}

/// One preset: its description, the datasets it trains on, how it runs, and its charts.
pub trait Preset: Sync {
    fn info(&self) -> &'static PresetInfo;

    /// The datasets it trains on when run on `base` (the page fetches exactly their assets).
    fn datasets(&self, base: &ExperimentConfig) -> Vec<DatasetSpec> {
        vec![base.data.dataset.clone()]
    }

    /// Trains its arms on top of `base` (changing only the knob it studies), records them in
    /// `report` and states its verdict there. An arm that cannot be measured
    /// ([`ExperimentError::ArmFailed`]) may be returned as an error: the claim is then reported
    /// as not tested with that reason.
    fn run(&self, ctx: &mut Ctx<'_, '_>, base: &ExperimentConfig, report: &mut Report) -> Result<(), ExperimentError>;

    /// The charts its "what to look at" refers to, from a report it made.
    fn charts(&self, report: &Report) -> Vec<Chart>;
}

/// Every preset, in tour order (`paper-tour` last): the only list.
pub static REGISTRY: &[&dyn Preset] = &[
    &heavy_tails::HeavyTails,
    &sgn_batch::SgnBatch,
    &spectrum::Spectrum,
    &batch_sweep::BatchSweep,
    &labels::Labels,
    &depth_width::DepthWidth,
    &non_image::NonImage,
    &mechanism::Mechanism,
    &subspace::Subspace,
    &tour::PaperTour,
];

/// The preset called `name`.
pub fn find(name: &str) -> Option<&'static dyn Preset> {
    REGISTRY.iter().copied().find(|p| p.info().name == name)
}

/// The preset called `name`, or [`ExperimentError::UnknownPreset`].
pub fn get(name: &str) -> Result<&'static dyn Preset, ExperimentError> {
    find(name).ok_or_else(|| ExperimentError::UnknownPreset(name.to_string()))
}

/// Every preset's description, in tour order.
pub fn infos() -> Vec<&'static PresetInfo> {
    REGISTRY.iter().map(|p| p.info()).collect()
}

/// The asset files preset `name` reads when run on `base`, each once, in order.
pub fn assets_of(name: &str, base: &ExperimentConfig) -> Result<Vec<&'static str>, ExperimentError> {
    let mut out: Vec<&'static str> = Vec::new();
    for d in get(name)?.datasets(base) {
        if let Some(a) = d.asset() {
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    Ok(out)
}

/// Runs the preset `name` on top of `base` — the presets change only the knob they study, so a
/// small `base` (e.g. [`reduced_base`]) gives a reduced run — over `base.replicates` independent
/// replicates: replicate r runs at seed [`crate::rng::replicate_seed`]`(base.seed, r)` (data split and
/// order, initialisation and every measurement draw follow from it), and each claim is decided
/// from the replicates' outcomes ([`super::summary`]). `assets` returns the bytes of a file under
/// `assets/`; `progress` is called between units of work and cancels the run by returning
/// `false`. The replicates run one after another in this thread as the [`units`] of
/// [`units::Split::Replicates`]; [`units::run_parallel`] runs the same units on every core.
pub fn run_preset(
    name: &str,
    base: &ExperimentConfig,
    assets: &mut Assets<'_>,
    progress: &mut ProgressFn<'_>,
) -> Result<Report, ExperimentError> {
    units::run_serial(name, base, units::Split::Replicates, assets, progress)
}

/// One report from the replicates' reports (replicate 0 first): replicate 0 carries the others
/// and the summary; for the tour, each part carries its own replicates and summary, and the
/// tour's summary lists every part's claims.
fn replicated(mut runs: Vec<Report>) -> Report {
    let mut first = runs.remove(0);
    if first.parts.is_empty() {
        let summary = summarize(&std::iter::once(&first).chain(runs.iter()).collect::<Vec<_>>());
        first.summary = (!runs.is_empty()).then_some(summary);
        first.replicates = runs;
        return first;
    }
    for (p, part) in first.parts.iter_mut().enumerate() {
        let others: Vec<Report> = runs
            .iter_mut()
            .filter_map(|r| {
                (p < r.parts.len())
                    .then(|| std::mem::replace(&mut r.parts[p], new_report(tour::PaperTour.info(), &r.config)))
            })
            .collect();
        if !others.is_empty() {
            part.summary = Some(summarize(
                &std::iter::once(&*part).chain(others.iter()).collect::<Vec<_>>(),
            ));
        }
        part.replicates = others;
    }
    for r in &mut runs {
        r.parts.clear();
    }
    let claims: Vec<_> = first
        .parts
        .iter()
        .flat_map(|p| p.summary.iter().flat_map(|s| s.claims.iter().cloned()))
        .collect();
    if !claims.is_empty() {
        first.summary = Some(super::summary::Summary {
            claims,
            table_a: Vec::new(),
            table_b: Vec::new(),
        });
    }
    first.replicates = runs;
    first
}

/// Runs one preset in `ctx` into its report: its arms, Tables A and B, its verdicts. An arm that
/// could not be measured leaves the claim not tested, with the reason.
pub(crate) fn run_in(
    ctx: &mut Ctx<'_, '_>,
    preset: &dyn Preset,
    base: &ExperimentConfig,
) -> Result<Report, ExperimentError> {
    let info = preset.info();
    ctx.preset = info.name.to_string();
    let mut r = new_report(info, base);
    match preset.run(ctx, base, &mut r) {
        Err(ExperimentError::ArmFailed { arm, message }) => {
            let mut failed = new_report(info, base);
            failed.verdicts.push(Verdict::not_tested(
                info.claim,
                "arm",
                format!("{arm}: the arm can be measured"),
                format!("{arm} could not be measured: {message}"),
            ));
            r = failed;
        }
        other => other?,
    }
    fill_tables(&mut r);
    ctx.tick("done", 1.0)?;
    Ok(r)
}

/// An empty report of `info` on `base`.
pub fn new_report(info: &PresetInfo, base: &ExperimentConfig) -> Report {
    Report {
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
        replicates: Vec::new(),
        summary: None,
    }
}

/// Fills Tables A and B from the arms' measurements (a part of the tour has its own).
pub fn fill_tables(r: &mut Report) {
    if !r.table_a.is_empty() || !r.table_b.is_empty() {
        return;
    }
    for arm in &r.arms {
        for m in &arm.measurements {
            let s = &m.structure;
            let setting = format!("{} — {} (step {})", arm.label, m.label, s.step);
            r.table_a.push(TableARow {
                setting: setting.clone(),
                rule: format!("{:?}", s.rule).to_lowercase(),
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

/// A reduced base configuration for quick runs and tests: 8×8 digits (1,000 train / 400 test),
/// FCN 64→32→10, B = 32, 2 epochs, m = 20 tracked parameters, snapshots off, 3 dimension-wise
/// draws, M = 60 draws, N_cov = 200, one replicate. Presets vary their own knob on top of it.
pub fn reduced_base(seed: u64) -> ExperimentConfig {
    use super::config::*;
    use crate::nn::{ActivationKind, ModelSpec};
    use crate::train::{LogParams, SgdParams};
    ExperimentConfig {
        data: DataConfig {
            dataset: DatasetSpec::Digits8x8,
            n_train: Some(1000),
            n_test: Some(400),
            ..DataConfig::default()
        },
        model: ModelSpec::Fcn {
            hidden: vec![32],
            activation: ActivationKind::Relu,
        },
        training: SgdParams {
            batch_size: 32,
            epochs: 2,
            ..SgdParams::default()
        },
        logging: LogParams {
            n_tracked: 20,
            full_every: 0,
        },
        analysis: AnalysisConfig {
            draws: 60,
            dim_draws: 3,
            n_cov: 200,
            ..AnalysisConfig::default()
        },
        seed,
        replicates: 1,
        ..ExperimentConfig::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_names_every_preset_once_and_ends_with_the_tour() {
        let names: Vec<&str> = REGISTRY.iter().map(|p| p.info().name).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert_eq!(names.last(), Some(&"paper-tour"));
        assert!(find("nope").is_none());
        assert_eq!(
            assets_of("mechanism", &ExperimentConfig::default()).unwrap(),
            Vec::<&str>::new()
        );
        assert_eq!(
            assets_of("non-image", &ExperimentConfig::default()).unwrap(),
            vec!["breast-cancer.csv"]
        );
    }
}
