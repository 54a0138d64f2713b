//! `sgn-lab normality FILE`: Gaussianity tests and moments, printed as one JSON object.

use sgn_lab::stats::normality::{normality, NORMALITY_MIN_N};

use crate::input::read_numbers;
use crate::powerlaw::stats_error;
use crate::CliError;

/// Arguments of `sgn-lab normality`.
#[derive(clap::Args, Debug)]
pub struct NormalityArgs {
    /// Numbers separated by whitespace, commas or newlines, or a .npy array; `-` reads stdin.
    pub file: String,
}

pub fn run(args: &NormalityArgs) -> Result<serde_json::Value, CliError> {
    let x = read_numbers(&args.file)?;
    if x.len() < NORMALITY_MIN_N {
        return Err(CliError::input(format!(
            "normality: too few values: the tests need at least {NORMALITY_MIN_N}, got {}",
            x.len()
        )));
    }
    let report = normality(&x).map_err(|e| stats_error("normality", e))?;
    serde_json::to_value(&report).map_err(|e| CliError {
        message: e.to_string(),
        code: 1,
    })
}
