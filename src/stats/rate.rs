//! Power-law rate over a set of samples (the paper's Table A cells): the share of samples whose
//! test does not reject the power law, e.g. over the tracked parameters' iteration-wise samples.

use serde::{Deserialize, Serialize};

use super::powerlaw::{power_law_test, PowerLawOptions};
use super::StatsError;

/// One Table A cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerLawRate {
    /// Samples judged power-law.
    pub power_law: usize,
    /// Samples tested.
    pub tested: usize,
    /// Samples that could not be tested (too few non-zero values, all equal, …) — excluded from
    /// the denominator and reported.
    pub skipped: usize,
    /// power_law / tested (`None` when nothing could be tested).
    pub rate: Option<f64>,
}

/// Rate from verdicts already computed.
pub fn rate_from_verdicts(verdicts: &[bool], skipped: usize) -> PowerLawRate {
    let pl = verdicts.iter().filter(|v| **v).count();
    let t = verdicts.len();
    PowerLawRate {
        power_law: pl,
        tested: t,
        skipped,
        rate: if t > 0 { Some(pl as f64 / t as f64) } else { None },
    }
}

/// Runs [`power_law_test`] on every sample with the same options (bootstrap seeds shifted by the
/// sample index so samples are independent) and returns the rate. `progress(done, total)` counts
/// samples; return `false` to cancel. Samples that raise a data error are counted as skipped;
/// cancellation is returned as an error.
pub fn power_law_rate<S: AsRef<[f64]>, F: FnMut(usize, usize) -> bool>(
    samples: &[S],
    opts: &PowerLawOptions,
    mut progress: F,
) -> Result<PowerLawRate, StatsError> {
    let total = samples.len();
    let mut verdicts = Vec::with_capacity(total);
    let mut skipped = 0;
    for (i, s) in samples.iter().enumerate() {
        if !progress(i, total) {
            return Err(StatsError::Cancelled);
        }
        let o = PowerLawOptions {
            seed: opts.seed.wrapping_add(i as u64),
            ..opts.clone()
        };
        match power_law_test(s.as_ref(), &o, |_, _| true) {
            Ok(r) => verdicts.push(r.power_law),
            Err(StatsError::Cancelled) => return Err(StatsError::Cancelled),
            Err(_) => skipped += 1,
        }
    }
    progress(total, total);
    Ok(rate_from_verdicts(&verdicts, skipped))
}
