//! Statistics on gradient samples: power-law tail tests (the paper's top-K KS rule and the
//! Clauset–Shalizi–Newman procedure), Gaussianity tests, the α-stable tail index and the
//! power-law rate over a set of samples. Every formula is stated in the doc comment of the
//! function that computes it, with its source; `docs/PROTOCOL.md` §2–3 gives the overview.
//!
//! The library never panics on user data: finite or non-finite input yields a [`StatsError`].
//!
//! Entry points:
//! * [`fit_top_k`] — the paper's rule on positive values (spectra, tails);
//! * [`power_law_test`] — one sample of signed values → [`PowerLawReport`] (|x|, zeros dropped,
//!   paper or Clauset rule, optional bootstrap with a `FnMut(done, total) -> bool` progress /
//!   cancel callback, Vuong tests); the `sgn-lab powerlaw` JSON;
//! * [`fit_clauset`], [`fit_clauset_bootstrap`] — the Clauset scan and bootstrap on positive values;
//! * [`normality()`] — every Gaussianity test → [`NormalityReport`]; the `sgn-lab normality` JSON;
//! * [`tail_index()`] — the α-stable tail index; [`power_law_rate`] — a Table A cell.

// `!(x > 0.0)` is used on purpose throughout: it is also true for NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod lilliefors_table;
pub mod normality;
pub mod powerlaw;
pub mod proportion;
pub mod rate;
pub mod tail_index;
pub mod vuong;

pub use normality::{normality, NormalityReport};
pub use powerlaw::{
    abs_nonzero, fit_clauset, fit_clauset_bootstrap, fit_top_k, power_law_test, power_law_test_deferred,
    BootstrapCounts, BootstrapJob, BootstrapOptions, BootstrapResult, ClausetFit, ClausetOptions, KsConvention, Level,
    PowerLawOptions, PowerLawReport, Rule, TopKFit,
};
pub use rate::{power_law_rate, rate_from_verdicts, PowerLawRate};
pub use tail_index::{tail_index, TailIndex};
pub use vuong::{LikelihoodRatio, LognormalFit};

use thiserror::Error;

/// Why a statistic could not be computed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StatsError {
    /// The sample holds NaN or ±inf (at `index`).
    #[error("value #{index} is not finite (NaN and infinities are not allowed)")]
    NonFinite { index: usize },
    /// A value that must be positive is not (at `index`).
    #[error("value #{index} is not positive ({value}); power-law fits need x > 0")]
    NonPositive { index: usize, value: f64 },
    /// Too few values for the test.
    #[error("{test} needs at least {needed} values, got {got}")]
    TooFew {
        test: &'static str,
        needed: usize,
        got: usize,
    },
    /// Too many values for the test (e.g. Shapiro–Wilk above 5000).
    #[error("{test} accepts at most {max} values, got {got}")]
    TooMany { test: &'static str, max: usize, got: usize },
    /// Every value is exactly zero (e.g. a gradient whose softmax saturated): nothing to test.
    #[error("{what}: every value is exactly zero")]
    AllZero { what: &'static str },
    /// All values (or all tail values) are equal: nothing to fit.
    #[error("{what}: all values are equal")]
    AllEqual { what: &'static str },
    /// A parameter is out of range.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter { name: &'static str, reason: String },
    /// A numerical routine failed to produce a finite answer.
    #[error("numerical failure in {0}")]
    Numerical(&'static str),
    /// The caller asked to stop (progress callback returned `false`).
    #[error("cancelled")]
    Cancelled,
}

/// Checks that every value is finite.
pub(crate) fn check_finite(values: &[f64]) -> Result<(), StatsError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(StatsError::NonFinite { index }),
        None => Ok(()),
    }
}
