//! The vocabulary every parameter check shares: one range error ([`OutOfRange`]) and the
//! helpers that test a value against a range written once, as a constant beside the struct whose
//! `check()` enforces it (`train::params` for SGD and the log, `experiment::measure::analysis`
//! for the measurement, `experiment::config` for data and the run). The page's controls table
//! and the CLI read the same constants (`docs/ARCHITECTURE.md`, "Parameters").
//!
//! A leaf module: it names no other module of the crate, so every layer can use it.

use std::fmt::Display;
use std::ops::RangeInclusive;
use thiserror::Error;

/// A setting outside its allowed range: the configuration key (or the engine's name for it),
/// the value as given and the range in words (`"10..=5000"`, `"[0, 1)"`). The one range error of
/// every `check()`; `ExperimentError`, `train::ConfigError` and `MeasureError` wrap it as their
/// `OutOfRange` variant (`#[from]`, displayed as it is).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field} = {value} is out of range ({range})")]
pub struct OutOfRange {
    pub field: &'static str,
    pub value: String,
    pub range: String,
}

impl OutOfRange {
    pub fn new(field: &'static str, value: impl Display, range: impl Into<String>) -> Self {
        OutOfRange {
            field,
            value: value.to_string(),
            range: range.into(),
        }
    }
}

/// An inclusive integer range as the error messages write it: `lo..=hi`.
pub fn range_text(r: &RangeInclusive<usize>) -> String {
    format!("{}..={}", r.start(), r.end())
}

/// `v` in the inclusive range `r`, else [`OutOfRange`] naming `field` and the range.
pub fn within(field: &'static str, v: usize, r: &RangeInclusive<usize>) -> Result<(), OutOfRange> {
    if r.contains(&v) {
        Ok(())
    } else {
        Err(OutOfRange::new(field, v, range_text(r)))
    }
}

/// `Some(v)` in `r` (or `None`), else [`OutOfRange`].
pub fn within_opt(field: &'static str, v: Option<usize>, r: &RangeInclusive<usize>) -> Result<(), OutOfRange> {
    v.map_or(Ok(()), |v| within(field, v, r))
}

/// A real interval with open or closed ends, for the checks of real-valued settings
/// (η ∈ (0, 10], μ ∈ [0, 1)): written once as a constant, tested and worded from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
    pub lo_open: bool,
    pub hi_open: bool,
}

impl Interval {
    /// `[lo, hi]`.
    pub const fn closed(lo: f64, hi: f64) -> Self {
        Interval {
            lo,
            hi,
            lo_open: false,
            hi_open: false,
        }
    }

    /// `(lo, hi)`.
    pub const fn open(lo: f64, hi: f64) -> Self {
        Interval {
            lo,
            hi,
            lo_open: true,
            hi_open: true,
        }
    }

    /// `[lo, hi)`.
    pub const fn closed_open(lo: f64, hi: f64) -> Self {
        Interval {
            lo,
            hi,
            lo_open: false,
            hi_open: true,
        }
    }

    /// `(lo, hi]`.
    pub const fn open_closed(lo: f64, hi: f64) -> Self {
        Interval {
            lo,
            hi,
            lo_open: true,
            hi_open: false,
        }
    }

    /// Whether `x` lies in the interval (NaN never does).
    pub fn contains(&self, x: f64) -> bool {
        let above = if self.lo_open { x > self.lo } else { x >= self.lo };
        let below = if self.hi_open { x < self.hi } else { x <= self.hi };
        above && below
    }

    /// `(0, 10]`, `[0, 1)`.
    pub fn text(&self) -> String {
        format!(
            "{}{}, {}{}",
            if self.lo_open { '(' } else { '[' },
            self.lo,
            self.hi,
            if self.hi_open { ')' } else { ']' }
        )
    }

    /// `x` in the interval, else [`OutOfRange`] naming `field`.
    pub fn check(&self, field: &'static str, x: f64) -> Result<(), OutOfRange> {
        if self.contains(x) {
            Ok(())
        } else {
            Err(OutOfRange::new(field, x, self.text()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_enforced_at_their_edges_and_worded_from_the_constant() {
        let r = 10..=5000;
        assert_eq!(within("analysis.draws", 10, &r), Ok(()));
        assert_eq!(within("analysis.draws", 5000, &r), Ok(()));
        let e = within("analysis.draws", 9, &r).unwrap_err();
        assert_eq!(e.to_string(), "analysis.draws = 9 is out of range (10..=5000)");
        assert!(within("analysis.draws", 5001, &r).is_err());
        assert_eq!(within_opt("k", None, &(2..=3)), Ok(()));
        let open = Interval::open_closed(0.0, 10.0);
        assert!(open.contains(10.0) && !open.contains(0.0) && !open.contains(f64::NAN));
        assert_eq!(open.text(), "(0, 10]");
        assert_eq!(
            open.check("lr", 0.0).unwrap_err().to_string(),
            "lr = 0 is out of range ((0, 10])"
        );
        assert_eq!(Interval::closed(0.0, 0.1).text(), "[0, 0.1]");
        assert_eq!(Interval::open(0.0, 1.0).text(), "(0, 1)");
        assert_eq!(Interval::closed_open(0.0, 1.0).text(), "[0, 1)");
        assert!(Interval::closed_open(0.0, 1.0).contains(0.0) && !Interval::closed_open(0.0, 1.0).contains(1.0));
    }
}
