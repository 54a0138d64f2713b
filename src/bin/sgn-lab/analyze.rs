//! `sgn-lab analyze FILE [--rows samples|iterations] [--rule paper|clauset] [--k K]`: the tail
//! tests and the covariance spectrum on a user's gradient dump (`.npy` float32/float64, C order,
//! 2-D; or CSV/whitespace text), rows = samples or iterations, columns = parameters. `--rows`
//! decides the noise (see `experiment::analyze`): row − mean row for samples, the scaled first
//! difference along training for iterations; its power-law rates are `dimension_wise_noise` and
//! `column_wise_noise` in the output.

use crate::input::{read_matrix, source_name};
use crate::CliError;
use sgn_lab::experiment::analyze::{analyze_dump, AnalyzeOptions, RowKind};
use sgn_lab::experiment::TailRule;

#[derive(clap::Args)]
pub struct AnalyzeArgs {
    /// Gradient matrix: .npy or text, one row per sample or iteration; `-` reads stdin.
    pub file: String,
    /// What the rows are, which decides the SGN-like noise tested beside the raw values: samples
    /// (per-sample gradients at one θ; noise = row − mean row) or iterations (minibatch gradients
    /// along training; noise = (g_t − g_{t−1})/√2, which removes the slowly drifting mean).
    #[arg(long, default_value = "samples", value_parser = ["samples", "iterations"])]
    pub rows: String,
    /// Tail rule: paper (top-K) or clauset.
    #[arg(long, default_value = "paper", value_parser = ["paper", "clauset"])]
    pub rule: String,
    /// Paper rule's K (default min(1000, n)).
    #[arg(long)]
    pub k: Option<usize>,
    /// Skip the covariance spectrum.
    #[arg(long)]
    pub no_spectrum: bool,
}

pub fn run(args: &AnalyzeArgs) -> Result<serde_json::Value, CliError> {
    let path = source_name(&args.file);
    let matrix = read_matrix(&args.file)?;
    let opts = AnalyzeOptions {
        rows: if args.rows == "iterations" {
            RowKind::Iterations
        } else {
            RowKind::Samples
        },
        rule: if args.rule == "clauset" {
            TailRule::Clauset
        } else {
            TailRule::Paper
        },
        k: args.k,
        spectrum: !args.no_spectrum,
        ..AnalyzeOptions::default()
    };
    let r = analyze_dump(&matrix, &opts).map_err(|e| CliError::input(format!("{path}: {e}")))?;
    serde_json::to_value(&r).map_err(|e| CliError {
        message: e.to_string(),
        code: 1,
    })
}
