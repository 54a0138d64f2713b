//! `sgn-lab spectrum FILE [--k K] [--skip M]`: eigenvalues of the centred sample covariance
//! (divisor n) of a matrix with one sample per row, its power-law fit, the Marchenko–Pastur
//! parameters for the same shape and total variance, and the "flat" flag.
//!
//! FILE is text (columns separated by whitespace or commas, `#` comments, an optional header
//! line) or a `.npy` file (recognised by its magic bytes; float32/float64, C order, 1-D or 2-D);
//! `-` reads either from stdin.

use crate::input::{read_matrix, source_name};
use crate::CliError;
use sgn_lab::spectrum::{analyze_matrix, FitParams};
use sgn_lab::stats::Level;

#[derive(clap::Args)]
pub struct SpectrumArgs {
    /// Matrix file: one sample per line (whitespace or commas), or a .npy array; `-` reads stdin.
    pub file: String,
    /// Number of top eigenvalues to fit (default min(1000, rank/2)).
    #[arg(long)]
    pub k: Option<usize>,
    /// Number of top eigenvalues to leave out of the fit.
    #[arg(long, default_value_t = 0)]
    pub skip: usize,
}

pub fn run(args: &SpectrumArgs) -> Result<serde_json::Value, CliError> {
    let matrix = read_matrix(&args.file)?;
    if matrix.nrows() < 2 {
        return Err(CliError::input(format!(
            "{}: need at least 2 rows (samples), got {}",
            source_name(&args.file),
            matrix.nrows()
        )));
    }
    let params = FitParams::new(args.k, args.skip, Level::P05).map_err(CliError::input)?;
    let report = analyze_matrix(matrix.view(), &params).map_err(CliError::input)?;
    serde_json::to_value(&report).map_err(|e| CliError {
        message: e.to_string(),
        code: 1,
    })
}
