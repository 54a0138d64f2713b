//! The one versioned [`Report`] schema, the same from the CLI and the page: the configuration,
//! seed and engine version, every arm's training history and measurements
//! ([`GradientStructure`] from [`super::measure`]), Tables A and B, and per-preset
//! [`Verdict`]s ("agrees with the paper" or "differs", with the numbers that decided it).

use super::config::ExperimentConfig;
use super::measure::{GradientStructure, TailTest};
use super::summary::{decide, ClaimSummary, ClauseCount, PooledTableARow, Spread, Summary, TableBSummaryRow};
pub use super::verdict::Verdict;
use super::verdict::{Outcome, VerdictOutcome};
use crate::spectrum::SpectrumReport;
use crate::stats::proportion::wilson95;
use crate::stats::PowerLawRate;
use crate::train::{EvalStats, StepStats};
use serde::{Deserialize, Serialize};

/// Version of the report JSON layout; bump on any change of shape. 2: verdicts could be "not
/// tested"; 3: verdicts as typed clauses ([`super::verdict`]), [`Measurement::at`],
/// [`Report::replicates`] and [`Report::summary`].
pub const SCHEMA_VERSION: u32 = 3;

/// The engine version written into every report.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// One preset's (or a custom configuration's) result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub engine_version: String,
    /// Preset name (`custom` for a user configuration).
    pub preset: String,
    pub title: String,
    /// The paper's claim this preset tests, in one sentence.
    pub claim: String,
    /// The base configuration (each arm's own configuration is in `arms`).
    pub config: ExperimentConfig,
    pub seed: u64,
    pub arms: Vec<ArmResult>,
    /// The synthetic mechanism demo (no network), when this preset runs it.
    pub mechanism: Option<MechanismResult>,
    /// The paper's Table A: power-law rates, one row per measurement.
    pub table_a: Vec<TableARow>,
    /// The paper's Table B: covariance-spectrum fits, one row per spectrum.
    pub table_b: Vec<TableBRow>,
    /// What was found against the paper's claim.
    pub verdicts: Vec<Verdict>,
    /// Sub-reports (the paper tour).
    pub parts: Vec<Report>,
    /// The other replicates of a preset (this report is replicate 0, the one whose charts are
    /// drawn; replicate r ran at seed `rng::replicate_seed(seed, r)`), each a report of its own
    /// without parts and raw samples. Empty for one replicate and for a single configuration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicates: Vec<Report>,
    /// Every claim over all replicates (and Tables A and B pooled), when there are replicates
    /// or parts ([`super::summary`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
}

/// One trained network (an "arm" of a preset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmResult {
    pub label: String,
    pub config: ExperimentConfig,
    pub n_params: usize,
    pub n_train: usize,
    pub n_test: usize,
    /// C, the classes of its training set (chance accuracy is 1/C).
    pub n_classes: usize,
    /// Per-step training loss/accuracy on the minibatch, lr, gradient norm.
    pub history: Vec<StepStats>,
    /// Test-set evaluation after every epoch (and at step 0).
    pub evals: Vec<EvalPoint>,
    /// The training set at the last step (its own labels: noisy or random when the arm's are),
    /// so a random-labels arm shows whether it fitted its labels.
    pub train_eval: Option<EvalPoint>,
    pub measurements: Vec<Measurement>,
}

/// A test evaluation at a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalPoint {
    pub step: u64,
    pub test: EvalStats,
}

/// The gradient structure measured at one θ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// e.g. "init", "trained", "trained, B = 64", "trained, Clauset rule".
    pub label: String,
    /// Where it was measured.
    pub at: MeasuredAt,
    pub structure: GradientStructure,
}

/// Where a measurement was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasuredAt {
    /// At θ₀, before training.
    Init,
    /// At the end of training, with the arm's own analysis settings (one per arm).
    Trained,
    /// At the end of training with other settings (another minibatch size, another tail rule).
    TrainedVariant,
}

impl Report {
    /// Drops the raw samples kept for the charts (a replicate other than the first is never
    /// drawn), keeping every number of the report.
    pub fn drop_samples(&mut self) {
        for arm in &mut self.arms {
            for m in &mut arm.measurements {
                let g = &mut m.structure;
                for t in [
                    g.dimension_g.as_mut(),
                    g.dimension_sgn.as_mut(),
                    g.iteration_g.as_mut(),
                    g.iteration_sgn.as_mut(),
                ]
                .into_iter()
                .flatten()
                {
                    t.sample = Vec::new();
                }
            }
        }
        if let Some(mech) = &mut self.mechanism {
            for row in &mut mech.rows {
                row.example_dimension.sample = Vec::new();
                row.example_iteration.sample = Vec::new();
            }
        }
        self.parts.iter_mut().for_each(Report::drop_samples);
    }
}

impl ArmResult {
    /// The measurement of the trained network with the arm's own settings.
    pub fn trained(&self) -> Option<&GradientStructure> {
        self.at(MeasuredAt::Trained)
    }

    /// The measurement at θ₀, when made.
    pub fn init(&self) -> Option<&GradientStructure> {
        self.at(MeasuredAt::Init)
    }

    fn at(&self, at: MeasuredAt) -> Option<&GradientStructure> {
        self.measurements.iter().find(|m| m.at == at).map(|m| &m.structure)
    }
}

/// A Table A row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableARow {
    pub setting: String,
    pub rule: String,
    pub dimension_g: PowerLawRate,
    pub dimension_sgn: PowerLawRate,
    pub iteration_g: Option<PowerLawRate>,
    pub iteration_sgn: PowerLawRate,
}

/// A Table B row (the sibling paper's format: d_ks, d_c, verdict, β̂ ± σ, ŝ).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableBRow {
    pub setting: String,
    pub k: usize,
    pub ks_d: f64,
    pub ks_critical: f64,
    pub power_law: bool,
    pub beta: f64,
    pub beta_stderr: f64,
    pub s: f64,
    /// OLS slope of ln λ_k on ln k (≈ −ŝ).
    pub ls_slope: f64,
    pub flat: bool,
}

impl TableBRow {
    pub fn new(setting: impl Into<String>, r: &SpectrumReport) -> TableBRow {
        let f = &r.fit;
        TableBRow {
            setting: setting.into(),
            k: f.k,
            ks_d: f.ks_d,
            ks_critical: f.ks_critical,
            power_law: f.power_law,
            beta: f.beta,
            beta_stderr: f.beta_stderr,
            s: f.s,
            ls_slope: f.ls_slope,
            flat: r.flat,
        }
    }
}

/// The synthetic mechanism demo (`docs/PROTOCOL.md` §5.4, "Mechanism demo"): g_t ~ N(0, diag(k^(−s))).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MechanismResult {
    /// Coordinates d.
    pub d: usize,
    /// Iterations T.
    pub t: usize,
    pub rows: Vec<MechanismRow>,
}

/// One setting of the mechanism demo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MechanismRow {
    pub label: String,
    pub s: f64,
    pub rotated: bool,
    /// Power-law rate of the dimension-wise samples (all d coordinates at one t).
    pub dimension: PowerLawRate,
    /// Mean fitted exponent α̂ over the dimension-wise samples.
    pub alpha_mean: f64,
    /// 1 + 2/s (∞ for s = 0).
    pub alpha_theory: Option<f64>,
    /// Power-law rate of the iteration-wise samples (one coordinate over T iterations).
    pub iteration: PowerLawRate,
    /// Dimension-wise sample at t = 0 (its values are kept in memory for the plots).
    pub example_dimension: TailTest,
    /// Iteration-wise sample of the largest-variance coordinate.
    pub example_iteration: TailTest,
}

/// Rate value, 0 when nothing was tested.
pub fn rate(r: &PowerLawRate) -> f64 {
    r.rate.unwrap_or(0.0)
}

fn add(p: &mut (usize, usize), r: &crate::stats::PowerLawRate) {
    p.0 += r.power_law;
    p.1 += r.tested;
}

/// The summary of `runs` (replicate 0 first; each a single-seed report of the same preset):
/// each claim counted over the replicates and decided by [`decide`], Table A pooled, Table B as
/// median and range ([`super::summary`]).
pub fn summarize(runs: &[&Report]) -> Summary {
    let Some(first) = runs.first() else {
        return Summary {
            claims: Vec::new(),
            table_a: Vec::new(),
            table_b: Vec::new(),
        };
    };
    let claims = (0..first.verdicts.len())
        .map(|i| {
            let vs: Vec<_> = runs.iter().filter_map(|r| r.verdicts.get(i)).collect();
            let count = |o: VerdictOutcome| vs.iter().filter(|v| v.outcome == o).count();
            let (agree, differ, not_tested) = (
                count(VerdictOutcome::Agrees),
                count(VerdictOutcome::Differs),
                count(VerdictOutcome::NotTested),
            );
            let agreement = wilson95(agree, agree + differ);
            let mut clauses: Vec<ClauseCount> = Vec::new();
            let mut reasons: Vec<(String, usize)> = Vec::new();
            for v in &vs {
                for c in &v.clauses {
                    let e = match clauses.iter_mut().position(|x| x.key == c.key) {
                        Some(j) => &mut clauses[j],
                        None => {
                            clauses.push(ClauseCount {
                                key: c.key.clone(),
                                says: c.says.clone(),
                                holds: 0,
                                fails: 0,
                                not_tested: 0,
                            });
                            clauses.last_mut().expect("just pushed")
                        }
                    };
                    match c.outcome {
                        Outcome::Holds => e.holds += 1,
                        Outcome::Fails => e.fails += 1,
                        Outcome::NotTested => {
                            e.not_tested += 1;
                            if let super::verdict::Evidence::Missing { reason } = &c.evidence {
                                match reasons.iter_mut().find(|(r, _)| r == reason) {
                                    Some(x) => x.1 += 1,
                                    None => reasons.push((reason.clone(), 1)),
                                }
                            }
                        }
                    }
                }
            }
            ClaimSummary {
                claim: first.verdicts[i].claim.clone(),
                replicates: vs.len(),
                agree,
                differ,
                not_tested,
                outcome: decide(&agreement),
                agreement,
                clauses,
                reasons,
            }
        })
        .collect();
    let table_a = first
        .table_a
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let rows: Vec<&TableARow> = runs.iter().filter_map(|r| r.table_a.get(i)).collect();
            let (mut dg, mut ds, mut ig, mut is) = ((0, 0), (0, 0), (0, 0), (0, 0));
            for r in &rows {
                add(&mut dg, &r.dimension_g);
                add(&mut ds, &r.dimension_sgn);
                if let Some(x) = &r.iteration_g {
                    add(&mut ig, x);
                }
                add(&mut is, &r.iteration_sgn);
            }
            let w = |p: (usize, usize)| wilson95(p.0, p.1);
            PooledTableARow {
                setting: strip_step(&row.setting),
                rule: row.rule.clone(),
                dimension_g: w(dg),
                dimension_sgn: w(ds),
                iteration_g: row.iteration_g.as_ref().map(|_| w(ig)),
                iteration_sgn: w(is),
            }
        })
        .collect();
    let table_b = first
        .table_b
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let rows: Vec<&TableBRow> = runs.iter().filter_map(|r| r.table_b.get(i)).collect();
            TableBSummaryRow {
                setting: strip_step(&row.setting),
                power_law: rows.iter().filter(|r| r.power_law).count(),
                rows: rows.len(),
                s: Spread::of(rows.iter().map(|r| r.s)),
                beta: Spread::of(rows.iter().map(|r| r.beta)),
                ks_ratio: Spread::of(rows.iter().map(|r| r.ks_d / r.ks_critical)),
            }
        })
        .collect();
    Summary {
        claims,
        table_a,
        table_b,
    }
}

/// A Table A/B setting without its " (step N)" (the step is the same in every replicate, but
/// keep the label short in the pooled table).
fn strip_step(s: &str) -> String {
    match s.rfind(" (step ") {
        Some(i) if s.ends_with(')') => s[..i].to_string(),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod summary_tests {
    use super::strip_step;

    #[test]
    fn strip_step_drops_the_step() {
        assert_eq!(strip_step("default — trained (step 992)"), "default — trained");
    }
}
