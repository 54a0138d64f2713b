//! `sgn-lab powerlaw FILE [--rule paper|clauset] [--k K] [--bootstrap N] [--seed S] [--level A]`:
//! the power-law test on |x| (exact zeros dropped), printed as one JSON object.

use sgn_lab::stats::powerlaw::PAPER_MIN_N;
use sgn_lab::stats::{power_law_test, Level, PowerLawOptions, Rule, StatsError};

use crate::input::read_numbers;
use crate::CliError;

/// Arguments of `sgn-lab powerlaw`.
#[derive(clap::Args, Debug)]
pub struct PowerlawArgs {
    /// Numbers separated by whitespace, commas or newlines, or a .npy array; `-` reads stdin.
    pub file: String,
    /// Tail rule: `paper` (top-K, KS verdict) or `clauset` (x_min scan, bootstrap p-value).
    #[arg(long, default_value = "paper")]
    pub rule: String,
    /// Paper rule: number of tail values K (default min(1000, n)).
    #[arg(long)]
    pub k: Option<usize>,
    /// Bootstrap replicates (default 0 for paper, 1000 for clauset).
    #[arg(long)]
    pub bootstrap: Option<usize>,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Significance level of the KS critical value: 0.10, 0.05 or 0.01.
    #[arg(long, default_value_t = 0.05)]
    pub level: f64,
}

/// Maps a library error on user data to a bad-input CLI error (exit 2).
pub fn stats_error(cmd: &str, e: StatsError) -> CliError {
    match e {
        StatsError::Numerical(_) => CliError {
            message: format!("{cmd}: {e}"),
            code: 1,
        },
        _ => CliError::input(format!("{cmd}: {e}")),
    }
}

pub fn run(args: &PowerlawArgs) -> Result<serde_json::Value, CliError> {
    let rule: Rule = args.rule.parse().map_err(|e| stats_error("powerlaw", e))?;
    let level = Level::try_from(args.level).map_err(|e| stats_error("powerlaw", e))?;
    let opts =
        PowerLawOptions::new(rule, args.k, args.bootstrap, args.seed, level).map_err(|e| stats_error("powerlaw", e))?;
    let x = read_numbers(&args.file)?;
    let nonzero = x.iter().filter(|v| **v != 0.0).count();
    let needed = match rule {
        Rule::Paper => PAPER_MIN_N,
        Rule::Clauset => opts.clauset.min_tail,
    };
    if nonzero < needed {
        return Err(CliError::input(format!(
            "powerlaw: too few values: the {} rule needs at least {needed} non-zero values, got {nonzero} ({} zeros dropped)",
            args.rule,
            x.len() - nonzero
        )));
    }
    let report = power_law_test(&x, &opts, |_, _| true).map_err(|e| stats_error("powerlaw", e))?;
    serde_json::to_value(&report).map_err(|e| CliError {
        message: e.to_string(),
        code: 1,
    })
}
