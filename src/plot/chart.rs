//! [`Chart`]: one chart as data — which kind and what it shows — so the engine decides the chart
//! list of a view (the tour's steps, the CLI's summary) and every renderer draws it with the one
//! [`Chart::draw`]: a `<canvas>` in the page, SVG in the CLI. Each chart also names itself
//! ([`Chart::label`], the text alternative) and gives its data as CSV columns
//! ([`Chart::columns`], the page's "CSV" export).

use super::spectrum::{self, DavisKahanPlot, EigengapPlot, RankPlot, TraceSharePlot};
use super::tails::{self, TailFitLine};
use super::{HoverIndex, PlotResult, Theme};
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};
use serde::{Deserialize, Serialize};

/// One chart of a view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Chart {
    /// Rank plot of a covariance spectrum with the power-law fit, the Gaussian baseline and the
    /// Marchenko–Pastur edges.
    Rank { data: RankPlot },
    /// Cumulative trace share of a spectrum.
    TraceShare { data: TraceSharePlot },
    /// Eigengaps by rank and re-sorted.
    Eigengaps { data: EigengapPlot },
    /// Davis–Kahan: eigenvector angles between two half-sample estimates against the bound.
    DavisKahan { data: DavisKahanPlot },
    /// A CCDF of |x| from a compact summary (points `[x, P(|X| ≥ x)]` of `n` values,
    /// `experiment::measure::ccdf_summary`) with its power-law fit.
    Ccdf {
        title: String,
        points: Vec<[f64; 2]>,
        n: usize,
        fit: Option<TailFitLine>,
    },
}

impl Chart {
    /// Draws the chart; returns its hover index.
    pub fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, theme: &Theme) -> PlotResult<HoverIndex> {
        match self {
            Chart::Rank { data } => spectrum::draw_rank_plot(area, theme, data),
            Chart::TraceShare { data } => spectrum::draw_trace_share(area, theme, data),
            Chart::Eigengaps { data } => spectrum::draw_eigengaps(area, theme, data),
            Chart::DavisKahan { data } => spectrum::draw_davis_kahan(area, theme, data),
            Chart::Ccdf { title, points, n, fit } => {
                let pts: Vec<(f64, f64)> = points.iter().map(|p| (p[0], p[1])).collect();
                tails::draw_ccdf_summary(area, theme, &pts, *n, *fit, title)
            }
        }
    }

    /// The chart's name, used as its text alternative.
    pub fn label(&self) -> String {
        match self {
            Chart::Rank { data } => data.title.clone(),
            Chart::TraceShare { .. } => "Cumulative trace share of the covariance spectrum".into(),
            Chart::Eigengaps { .. } => "Eigengaps of the covariance spectrum".into(),
            Chart::DavisKahan { .. } => {
                "Davis–Kahan: eigenvector angles between two half-sample estimates against the bound".into()
            }
            Chart::Ccdf { title, .. } => title.clone(),
        }
    }

    /// A short name of the kind, for file names (`rank`, `ccdf`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Chart::Rank { .. } => "rank",
            Chart::TraceShare { .. } => "trace_share",
            Chart::Eigengaps { .. } => "eigengaps",
            Chart::DavisKahan { .. } => "davis_kahan",
            Chart::Ccdf { .. } => "ccdf",
        }
    }

    /// The data behind the chart as named columns (the CSV export; columns may differ in
    /// length). Infinite values are kept (`inf`), missing ones are absent.
    pub fn columns(&self) -> Vec<(String, Vec<f64>)> {
        let col = |name: &str, v: Vec<f64>| (name.to_string(), v);
        match self {
            Chart::Rank { data } => {
                let mut c = vec![col("eigenvalue", data.eigenvalues.clone())];
                if let Some(b) = &data.baseline {
                    c.push(col("baseline", b.clone()));
                }
                c
            }
            Chart::TraceShare { data } => vec![col("share", data.share.clone())],
            Chart::Eigengaps { data } => vec![
                col("gap_by_rank", data.gaps.by_rank.clone()),
                col("gap_sorted", data.gaps.sorted.clone()),
            ],
            Chart::DavisKahan { data } => {
                let d = &data.davis_kahan;
                vec![
                    col("k", d.k.iter().map(|&k| k as f64).collect()),
                    col("sin_angle", d.sin_angle.clone()),
                    col("bound", d.bound.clone()),
                    col("min_gap", d.min_gap.clone()),
                ]
            }
            Chart::Ccdf { points, .. } => vec![
                col("x", points.iter().map(|p| p[0]).collect()),
                col("ccdf", points.iter().map(|p| p[1]).collect()),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::to_svg;

    #[test]
    fn every_kind_draws_names_itself_and_exports_its_data() {
        let ccdf = Chart::Ccdf {
            title: "t".into(),
            points: vec![[0.1, 1.0], [1.0, 0.5], [10.0, 0.01]],
            n: 100,
            fit: Some(TailFitLine {
                xmin: 1.0,
                alpha: 2.5,
                n_tail: 50,
                n: 100,
            }),
        };
        let rank = Chart::Rank {
            data: RankPlot {
                eigenvalues: vec![3.0, 2.0, 1.0],
                title: "Covariance spectrum: x".into(),
                ..RankPlot::default()
            },
        };
        let share = Chart::TraceShare {
            data: TraceSharePlot {
                share: vec![0.5, 0.8, 1.0],
                effective_rank: 2.0,
            },
        };
        for c in [ccdf, rank, share] {
            let svg = to_svg(400, 300, |a| c.draw(a, &Theme::for_dpr(1.0))).unwrap();
            assert!(svg.contains("<svg"), "{}", c.kind());
            assert!(!c.label().is_empty());
            assert!(!c.columns().is_empty() && !c.columns()[0].1.is_empty());
            let back: Chart = serde_json::from_value(serde_json::to_value(&c).unwrap()).unwrap();
            assert_eq!(back, c);
        }
    }
}
