//! `sgn-lab normality FILE`: Gaussianity tests and moments, printed as one JSON object.

use sgn_lab::stats::normality::{normality, NORMALITY_MIN_N};

use crate::powerlaw::{read_input, stats_error};
use crate::CliError;

/// Arguments of `sgn-lab normality`.
#[derive(clap::Args, Debug)]
pub struct NormalityArgs {
    /// Numbers separated by whitespace, commas or newlines; `-` reads stdin.
    pub file: String,
}

pub fn run(args: &NormalityArgs) -> Result<serde_json::Value, CliError> {
    let text = read_input(&args.file)?;
    let x = sgn_lab::data::text::parse_numbers(&text).map_err(CliError::input)?;
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
