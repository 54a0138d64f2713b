//! Depth 1/2/4 and width 10–100 (Xie et al. 2023 via review, "universal across models"; the
//! sibling paper's Fig. 26): FCNs of 1, 2 and 4 hidden layers of width 100, and one hidden layer
//! of width 10 and 30.

use super::labels::spectrum_arms;
use super::shared::{every_arm_non_flat, fmt_fit, measurement_charts, too_few_text, SpecArm};
use super::{Preset, PresetInfo};
use crate::experiment::config::{ExperimentConfig, ExperimentError};
use crate::experiment::context::Ctx;
use crate::experiment::report::Report;
use crate::experiment::verdict::{Clause, Cmp, Quantity, Verdict};
use crate::nn::ModelSpec;
use crate::plot::Chart;

pub struct DepthWidth;

static INFO: PresetInfo = PresetInfo {
    name: "depth-width",
    title: "Depth 1/2/4 and width 10–100",
    claim: "The power-law covariance spectrum holds across model depths; very narrow networks (width ≈ 10) are the least power-law and wider ones straighter.",
    source: "Xie et al. 2023 via review, 'universal across models' [R]; sibling Fig. 26 [S]",
    varies: "hidden layers (1, 2, 4 of width 100) and width (10, 30, 100, one layer)",
    look: "ŝ and the KS verdict across depths, then across widths: the narrow network (width 10) should be the least straight.",
    finding: "the spectrum was a power law at every depth and the narrowest network was the least power-law",
    lab_scale: "Narrow and shallow networks at lab scale have few parameters per layer, so their spectra have short power-law ranges; the ordering of widths is judged on one fit each and is noisy.",
};

/// An arm of the preset: hidden layers of one width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub depth: usize,
    pub width: usize,
}

impl Shape {
    /// The arms: depth 1, 2, 4 at width 100; width 10, 30 at depth 1.
    pub const ARMS: [Shape; 5] = [
        Shape { depth: 1, width: 100 },
        Shape { depth: 2, width: 100 },
        Shape { depth: 4, width: 100 },
        Shape { depth: 1, width: 10 },
        Shape { depth: 1, width: 30 },
    ];

    /// Arms of the depth series (width 100).
    pub fn in_depth_series(self) -> bool {
        self.width == 100
    }

    pub fn label(self) -> String {
        if self.in_depth_series() {
            format!("depth {} (width {})", self.depth, self.width)
        } else {
            format!("width {} (depth {})", self.width, self.depth)
        }
    }
}

impl Preset for DepthWidth {
    fn info(&self) -> &'static PresetInfo {
        &INFO
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>, b: &ExperimentConfig, r: &mut Report) -> Result<(), ExperimentError> {
        let act = b.model.activation();
        let arms: Vec<(String, ExperimentConfig)> = Shape::ARMS
            .iter()
            .map(|s| {
                let mut c = b.clone();
                c.model = ModelSpec::Fcn {
                    hidden: vec![s.width; s.depth],
                    activation: act,
                };
                (s.label(), c)
            })
            .collect();
        let (rows, failed) = spectrum_arms(ctx, r, &arms)?;
        let shaped: Vec<(Shape, SpecArm)> = rows
            .into_iter()
            .filter_map(|(label, a)| Shape::ARMS.iter().find(|s| s.label() == label).map(|s| (*s, a)))
            .collect();
        let failed: Vec<(Shape, String)> = failed
            .into_iter()
            .filter_map(|f| Shape::ARMS.iter().find(|s| f.starts_with(&s.label())).map(|s| (*s, f)))
            .collect();
        r.verdicts.push(verdict(&INFO, &shaped, &failed));
        Ok(())
    }

    fn charts(&self, r: &Report) -> Vec<Chart> {
        measurement_charts(r, false, |_, _| Vec::new())
    }
}

/// (1) every depth arm (1, 2, 4 layers of width 100) is a non-flat power law; (2) width 10 is
/// the least power-law: its d_ks/d_c is at least that of width 30 and width 100 (depth 1);
/// (3) wider is straighter: d_ks/d_c at width 30 is at least that at width 100. Arms that could
/// not be measured or have K < 10 leave their clauses untested and are named.
pub fn verdict(info: &PresetInfo, rows: &[(Shape, SpecArm)], failed: &[(Shape, String)]) -> Verdict {
    let mut finding: Vec<String> = rows
        .iter()
        .map(|(_, a)| format!("{}: {}", a.label, fmt_fit(&a.row)))
        .collect();
    finding.extend(failed.iter().map(|(_, f)| f.clone()));
    let depth: Vec<(String, SpecArm)> = rows
        .iter()
        .filter(|(s, _)| s.in_depth_series())
        .map(|(s, a)| (s.label(), a.clone()))
        .collect();
    let depth_failed: Vec<String> = failed
        .iter()
        .filter(|(s, _)| s.in_depth_series())
        .map(|(_, f)| f.clone())
        .collect();
    let mut clauses = every_arm_non_flat(&depth, &depth_failed);
    // d_ks/d_c of the arm of this shape, or why it is missing.
    let ratio = |shape: Shape| -> Result<Quantity, String> {
        match rows.iter().find(|(s, _)| *s == shape) {
            Some((_, a)) if a.excluded.is_some() => Err(format!(
                "{}: excluded: {}",
                a.label,
                a.excluded.as_deref().unwrap_or("")
            )),
            Some((_, a)) if a.too_few() => Err(format!("{}: {}", a.label, too_few_text(&a.row))),
            Some((_, a)) => Ok(Quantity::new(
                format!("d_ks/d_c at width {}", shape.width),
                a.row.ks_d / a.row.ks_critical,
            )),
            None => Err(format!("{} could not be measured", shape.label())),
        }
    };
    let (w10, w30, w100) = (
        ratio(Shape { depth: 1, width: 10 }),
        ratio(Shape { depth: 1, width: 30 }),
        ratio(Shape { depth: 1, width: 100 }),
    );
    const NARROW: &str = "The narrow network (width 10) is the least power-law (largest d_ks/d_c)";
    const WIDER: &str = "Wider is straighter: width 30 is less power-law than width 100";
    let missing = |rs: &[&Result<Quantity, String>]| {
        rs.iter()
            .filter_map(|r| r.as_ref().err().cloned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    clauses.push(match (&w10, &w30, &w100) {
        (Ok(a), Ok(b), Ok(c)) => {
            let larger = if b.value >= c.value { b } else { c };
            Clause::compare("narrow-least", NARROW, a.clone(), Cmp::Ge, larger.clone())
        }
        _ => Clause::not_tested("narrow-least", NARROW, missing(&[&w10, &w30, &w100])),
    });
    clauses.push(match (&w30, &w100) {
        (Ok(b), Ok(c)) => Clause::compare("wider-straighter", WIDER, b.clone(), Cmp::Ge, c.clone()),
        _ => Clause::not_tested("wider-straighter", WIDER, missing(&[&w30, &w100])),
    });
    let notes = rows
        .iter()
        .filter(|(s, _)| !s.in_depth_series())
        .filter_map(|(s, a)| a.collapse.as_ref().map(|c| format!("{}: {c}", s.label())))
        .collect();
    Verdict::from_clauses(info.claim, finding.join("; "), clauses, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::report::TableBRow;
    use crate::experiment::verdict::{Outcome, VerdictOutcome};

    fn arm(s: Shape, ks_d: f64, power_law: bool) -> (Shape, SpecArm) {
        let row = TableBRow {
            setting: String::new(),
            k: 50,
            ks_d,
            ks_critical: 0.1,
            power_law,
            beta: 2.0,
            beta_stderr: 0.1,
            s: 1.0,
            ls_slope: -1.0,
            flat: false,
        };
        (
            s,
            SpecArm {
                label: s.label(),
                row,
                collapse: None,
                excluded: None,
            },
        )
    }

    fn rows(w10_pl: bool) -> Vec<(Shape, SpecArm)> {
        let [d1, d2, d4, w10, w30] = Shape::ARMS;
        vec![
            arm(d1, 0.05, true),
            arm(d2, 0.05, true),
            arm(d4, 0.05, true),
            arm(w10, if w10_pl { 0.01 } else { 0.5 }, w10_pl),
            arm(w30, 0.07, true),
        ]
    }

    #[test]
    fn depth_arms_narrow_and_wider() {
        assert_eq!(verdict(&INFO, &rows(false), &[]).outcome, VerdictOutcome::Agrees);
        let v = verdict(&INFO, &rows(true), &[]);
        assert_eq!(
            v.clauses.iter().find(|c| c.key == "narrow-least").unwrap().outcome,
            Outcome::Fails
        );
        let mut r = rows(false);
        r.remove(4);
        let w30 = Shape::ARMS[4];
        let v = verdict(&INFO, &r, &[(w30, "width 30 (depth 1): zero gradient".into())]);
        assert_eq!(v.outcome, VerdictOutcome::NotTested);
        assert!(v.finding.contains("width 30 (depth 1): zero gradient"));
    }
}
