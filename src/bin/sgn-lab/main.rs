//! `sgn-lab`: the same engine as the page, headless. Every subcommand prints one JSON object
//! on stdout; errors are one line on stderr with exit code 2 (bad input) or 1 (internal).

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod analyze;
mod input;
mod normality;
mod powerlaw;
mod presets;
mod run;
mod spectrum;
mod url;

#[derive(Parser)]
#[command(
    name = "sgn-lab",
    version,
    about = "Test the structure of stochastic gradients (Xie et al., 2023)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the engine version and build as JSON.
    Version,
    /// Power-law test on |x| (paper's top-K rule or Clauset's).
    Powerlaw(powerlaw::PowerlawArgs),
    /// Gaussianity tests (Shapiro–Wilk, D'Agostino–Pearson, Jarque–Bera, Anderson–Darling, Lilliefors).
    Normality(normality::NormalityArgs),
    /// Covariance spectrum of a matrix (one sample per row): eigenvalues, power-law fit, Marchenko–Pastur.
    Spectrum(spectrum::SpectrumArgs),
    /// Run a preset or a configuration: report JSON on stdout, or report, tables and SVG plots in --out.
    Run(run::RunArgs),
    /// List the presets with the paper's claim each one tests.
    Presets,
    /// Tail tests and covariance spectrum of your own gradients: a bundle (.npz from recipes/), or a .npy or CSV dump.
    Analyze(analyze::AnalyzeArgs),
    /// The lab's URL-hash state (`v1.…`) and link for a configuration.
    Url(url::UrlArgs),
}

/// A failed command: the message goes to stderr as one line.
pub struct CliError {
    pub message: String,
    /// 2 for bad input, 1 for anything else.
    pub code: u8,
}

impl CliError {
    pub fn input(message: impl std::fmt::Display) -> Self {
        CliError {
            message: message.to_string(),
            code: 2,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<serde_json::Value, CliError> = match cli.command {
        Command::Version => Ok(serde_json::json!({
            "name": "sgn-lab",
            "version": env!("CARGO_PKG_VERSION"),
        })),
        Command::Powerlaw(a) => powerlaw::run(&a),
        Command::Normality(a) => normality::run(&a),
        Command::Spectrum(a) => spectrum::run(&a),
        Command::Run(a) => run::run(&a),
        Command::Presets => presets::run(),
        Command::Analyze(a) => analyze::run(&a),
        Command::Url(a) => url::run(&a),
    };
    match result {
        Ok(v) => {
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into()));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sgn-lab: {}", e.message.replace('\n', " "));
            ExitCode::from(e.code)
        }
    }
}
