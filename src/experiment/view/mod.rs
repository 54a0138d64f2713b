//! The view model: what the page and the CLI show, decided here and laid out there — verdicts in
//! words ([`verdict`]), a report's claims and tables ([`report`]), numbers formatted one way
//! ([`format`]).

pub mod format;
pub mod report;
pub mod verdict;
