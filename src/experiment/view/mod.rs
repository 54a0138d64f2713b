//! The view model: what the page and the CLI show, decided here and laid out there — verdicts in
//! words ([`verdict`]), a report's claims and tables ([`report`]), numbers formatted one way
//! ([`crate::format`]).

pub mod markdown;
pub mod measurement;
pub mod report;
pub mod session;
pub mod verdict;
