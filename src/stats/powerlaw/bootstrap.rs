//! The semi-parametric bootstrap p-value of a power-law fit (Clauset, Shalizi & Newman 2009,
//! §4.1): each replicate draws n values, from the fitted power law above x_min with probability
//! n_tail/n and from the observed values below x_min otherwise, re-fits by the same rule, and
//! p = share of replicates whose KS distance D ≥ the observed D.

use serde::{Deserialize, Serialize};

use super::clauset::{scan_sorted, sorted_positive, ClausetFit, ClausetOptions, Scratch};
use super::ks::{ks_scan, KsConvention};
use crate::libm_f64::{ln_ratio, LibmF64};
use crate::stats::StatsError;

/// Options of the semi-parametric bootstrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapOptions {
    /// Number of replicates (default 1000; CSN: 2500 for p to ±0.01).
    pub replicates: usize,
    /// Seed of the replicates (replicate r uses `rng::substream(seed, r)`).
    pub seed: u64,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            replicates: 1000,
            seed: 0,
        }
    }
}

/// Result of the bootstrap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootstrapResult {
    /// p = (number of replicates with D ≥ observed D) / replicates used.
    pub p_value: f64,
    /// Replicates used (replicates whose re-fit failed, e.g. too few distinct values, are dropped).
    pub replicates: usize,
    /// Replicates with D ≥ observed.
    pub at_least_as_far: usize,
}

/// How each bootstrap replicate is re-fitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Refit {
    /// Top-K with this K (the paper rule).
    TopK(usize),
    /// Full Clauset scan.
    Clauset(ClausetOptions),
}

/// Replicates per unit of work: the page checks for cancellation and reports progress between
/// units, and natively the units are the tasks spread over the rayon pool.
const UNIT: usize = 8;

/// Replicates per chunk when a bootstrap is split between the page's pool workers
/// ([`BootstrapJob::chunks`]): 4 units, about 6 ms of work at n = 1000 in Chromium (a worker
/// has the next chunk queued, so a message per chunk costs it nothing) and 1000 replicates make
/// 32 chunks, enough to even out two workers when one of them is preempted.
pub const CHUNK: usize = 4 * UNIT;

/// One semi-parametric bootstrap, self-contained (CSN §4.1): the sample `x` (positive, its
/// tail x[j..] ascending), the fit (x_min = x[j], α̂, observed D), how a replicate is re-fitted,
/// the KS convention, the seed and the number of replicates R. Replicate r draws from its own
/// stream `rng::substream(seed, r)`, so [`BootstrapJob::counts`] over any partition of 0..R adds
/// up to the same integers in any order, on any thread or worker: the page sends the job to its
/// pool workers ([`BootstrapJob::chunks`]) and natively the units run on rayon
/// ([`BootstrapJob::run`]), with the same p.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootstrapJob {
    /// The sample: positive values, x[j..] ascending (the values below x_min in any order).
    pub x: Vec<f64>,
    /// x_min = x[j]; n_tail = n − j.
    pub j: usize,
    /// Fitted exponent α̂ > 1.
    pub alpha: f64,
    /// Observed KS distance D.
    pub d_obs: f64,
    pub refit: Refit,
    pub ks: KsConvention,
    /// Seed of the replicates.
    pub seed: u64,
    /// R, the number of replicates.
    pub replicates: usize,
}

/// Integer counts of a range of replicates; counts of disjoint ranges add.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapCounts {
    /// Replicates re-fitted (a replicate whose re-fit fails is dropped).
    pub used: usize,
    /// Replicates with D ≥ the observed D.
    pub at_least_as_far: usize,
}

impl std::ops::Add for BootstrapCounts {
    type Output = BootstrapCounts;
    fn add(self, o: BootstrapCounts) -> BootstrapCounts {
        BootstrapCounts {
            used: self.used + o.used,
            at_least_as_far: self.at_least_as_far + o.at_least_as_far,
        }
    }
}

impl BootstrapCounts {
    /// p = at_least_as_far / used; an error when no replicate could be re-fitted.
    pub fn result(self) -> Result<BootstrapResult, StatsError> {
        if self.used == 0 {
            return Err(StatsError::Numerical("bootstrap (no replicate could be re-fitted)"));
        }
        Ok(BootstrapResult {
            p_value: self.at_least_as_far as f64 / self.used as f64,
            replicates: self.used,
            at_least_as_far: self.at_least_as_far,
        })
    }
}

impl BootstrapJob {
    /// Checks what a job received from outside (the page's pool workers) must satisfy to run:
    /// 1 ≤ R, j < n, every value positive and finite, α̂ > 1 finite, D finite ≥ 0, K ≥ 1 of a
    /// top-K re-fit and the Clauset options' own bounds (`min_tail ≥ 2`, `grid_size ≥ 2`).
    pub fn check(&self) -> Result<(), StatsError> {
        let bad = |name: &'static str, reason: &str| {
            Err(StatsError::InvalidParameter {
                name,
                reason: reason.into(),
            })
        };
        if self.replicates == 0 {
            return bad("replicates", "must be at least 1");
        }
        if self.j >= self.x.len() {
            return bad("j", "x_min must be one of the values");
        }
        super::super::check_finite(&self.x)?;
        if self.x.iter().any(|v| *v <= 0.0) {
            return bad("x", "every value must be positive");
        }
        if !(self.alpha > 1.0 && self.alpha.is_finite()) {
            return bad("alpha", "must be finite and above 1");
        }
        if !(self.d_obs >= 0.0 && self.d_obs.is_finite()) {
            return bad("d_obs", "must be finite and non-negative");
        }
        match &self.refit {
            Refit::TopK(0) => bad("k", "must be at least 1"),
            Refit::TopK(_) => Ok(()),
            Refit::Clauset(o) => ClausetOptions::new(o.min_tail, o.grid_above, o.grid_size, o.ks, o.level).map(|_| ()),
        }
    }

    /// The counts of replicates `rs` (clamped to 0..R).
    pub fn counts(&self, rs: std::ops::Range<usize>) -> BootstrapCounts {
        let rs = rs.start.min(self.replicates)..rs.end.min(self.replicates);
        let (used, at_least_as_far) = Replicates::of(self).counts(rs);
        BootstrapCounts { used, at_least_as_far }
    }

    /// The chunks of [`CHUNK`] replicates that split 0..R (the last one shorter).
    pub fn chunks(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        (0..self.replicates.div_ceil(CHUNK)).map(|c| c * CHUNK..((c + 1) * CHUNK).min(self.replicates))
    }

    /// All R replicates here: in units of [`UNIT`], natively a wave of units as tasks of the
    /// current rayon pool between two calls of `progress(done, R)` (which stays on the calling
    /// thread; return `false` to cancel, [`StatsError::Cancelled`]). The result is the sum of
    /// integer counts, so it is the same bytes on any number of threads (tested).
    pub fn run<F: FnMut(usize, usize) -> bool>(&self, progress: F) -> Result<BootstrapResult, StatsError> {
        bootstrap_sorted(&Replicates::of(self), self.replicates, progress)
    }
}

/// What every replicate of one bootstrap shares, borrowed from its [`BootstrapJob`].
#[derive(Clone, Copy)]
struct Replicates<'a> {
    x: &'a [f64],
    j: usize,
    alpha: f64,
    d_obs: f64,
    refit: &'a Refit,
    ks: KsConvention,
    seed: u64,
}

impl<'a> Replicates<'a> {
    fn of(job: &'a BootstrapJob) -> Self {
        Replicates {
            x: &job.x,
            j: job.j,
            alpha: job.alpha,
            d_obs: job.d_obs,
            refit: &job.refit,
            ks: job.ks,
            seed: job.seed,
        }
    }

    /// (replicates re-fitted, replicates with D ≥ D_obs) over the replicates `rs`. Replicate r
    /// draws from its own stream `rng::substream(seed, r)`, so the counts of any partition of
    /// 0..R into ranges add up to the same totals in any order, on any number of threads.
    fn counts(&self, rs: std::ops::Range<usize>) -> (usize, usize) {
        use rand::RngExt;
        let (x, j) = (self.x, self.j);
        let n = x.len();
        let body = &x[..j];
        let xmin = x[j];
        let p_tail = (n - j) as f64 / n as f64;
        let inv_exp = -1.0 / (self.alpha - 1.0);
        let mut s = Scratch::default();
        let mut buf: Vec<f64> = Vec::with_capacity(n);
        let (mut used, mut ge) = (0usize, 0usize);
        for r in rs {
            let mut rng = crate::rng::substream(self.seed, r as u64);
            buf.clear();
            for _ in 0..n {
                let u: f64 = rng.random();
                if body.is_empty() || u < p_tail {
                    let v: f64 = rng.random();
                    // x_min (1 − v)^(−1/(α−1)), v ∈ [0, 1)
                    buf.push(xmin * (1.0 - v).powf_(inv_exp));
                } else {
                    buf.push(body[rng.random_range(0..body.len())]);
                }
            }
            buf.sort_unstable_by(|a, b| a.total_cmp(b));
            if buf.iter().any(|v| !v.is_finite()) {
                continue;
            }
            let d = match self.refit {
                Refit::Clauset(o) => match scan_sorted(&buf, o, &mut s) {
                    Ok((_, _, d, _)) => d,
                    Err(_) => continue,
                },
                Refit::TopK(k) => {
                    let k = (*k).min(n);
                    let tail = &buf[n - k..];
                    let x0 = tail[0];
                    let sum: f64 = tail.iter().map(|&v| ln_ratio(v, x0)).sum();
                    if !(sum > 0.0) {
                        continue;
                    }
                    let a = 1.0 + k as f64 / sum;
                    s.logs.clear();
                    s.logs.extend(tail.iter().map(|v| v.ln_()));
                    ks_scan(&s.logs, 0, a, self.ks, f64::INFINITY)
                }
            };
            used += 1;
            if d >= self.d_obs {
                ge += 1;
            }
        }
        (used, ge)
    }
}

/// The bootstrap's R replicates in units of [`UNIT`]; natively, with more than one thread in
/// the current rayon pool, a wave of units runs as tasks of the pool between two calls of
/// `progress` (which stays on the calling thread).
fn bootstrap_sorted<F: FnMut(usize, usize) -> bool>(
    job: &Replicates<'_>,
    total: usize,
    mut progress: F,
) -> Result<BootstrapResult, StatsError> {
    let units = total.div_ceil(UNIT);
    let range = |u: usize| u * UNIT..((u + 1) * UNIT).min(total);
    // Units per wave: one on a single thread (always in wasm); natively a few per thread, so a
    // wave keeps every thread busy and cancellation still acts within a fraction of a second.
    let threads = pool_threads();
    let wave = if threads > 1 { 4 * threads } else { 1 };
    let mut sum = BootstrapCounts::default();
    let mut u = 0;
    while u < units {
        if !progress(u * UNIT, total) {
            return Err(StatsError::Cancelled);
        }
        let end = (u + wave).min(units);
        let (du, dg) = wave_counts(job, u..end, range);
        sum = sum
            + BootstrapCounts {
                used: du,
                at_least_as_far: dg,
            };
        u = end;
    }
    progress(total, total);
    sum.result()
}

/// Threads of the current rayon pool.
#[cfg(not(target_arch = "wasm32"))]
fn pool_threads() -> usize {
    rayon::current_num_threads()
}

/// Threads of the current rayon pool: wasm32 has one.
#[cfg(target_arch = "wasm32")]
fn pool_threads() -> usize {
    1
}

/// The summed counts of units `us` (unit u is the replicates `range(u)`): natively as tasks of
/// the current rayon pool, in wasm one after another.
fn wave_counts(
    job: &Replicates<'_>,
    us: std::ops::Range<usize>,
    range: impl Fn(usize) -> std::ops::Range<usize> + Sync,
) -> (usize, usize) {
    #[cfg(not(target_arch = "wasm32"))]
    if us.len() > 1 {
        use rayon::prelude::*;
        return us
            .into_par_iter()
            .with_max_len(1)
            .map(|u| job.counts(range(u)))
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    }
    us.map(|u| job.counts(range(u)))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

/// Clauset fit plus the semi-parametric bootstrap p-value (CSN §4.1): each replicate has n values;
/// with probability n_tail/n a value is drawn from the fitted power law
/// (x_min·(1−u)^(−1/(α̂−1))), otherwise uniformly from the observed values below x_min; x_min and
/// α̂ are re-fitted on every replicate by the same scan, and p = share of replicates whose D ≥
/// the observed D. `progress(done, total)` is called every 8 replicates; return `false` to cancel
/// ([`StatsError::Cancelled`]).
pub fn fit_clauset_bootstrap<F: FnMut(usize, usize) -> bool>(
    values: &[f64],
    opts: &ClausetOptions,
    boot: &BootstrapOptions,
    progress: F,
) -> Result<(ClausetFit, BootstrapResult), StatsError> {
    if boot.replicates == 0 {
        return Err(StatsError::InvalidParameter {
            name: "replicates",
            reason: "must be at least 1".into(),
        });
    }
    let x = sorted_positive(values)?;
    let mut s = Scratch::default();
    let (j, alpha, d, nc) = scan_sorted(&x, opts, &mut s)?;
    let n_tail = x.len() - j;
    let fit = ClausetFit {
        n: x.len(),
        n_tail,
        xmin: x[j],
        alpha,
        alpha_stderr: (alpha - 1.0) / (n_tail as f64).sqrt(),
        ks_d: d,
        ks_critical: opts.level.ks_critical(n_tail),
        level: opts.level.alpha(),
        candidates: nc,
    };
    let job = BootstrapJob {
        x,
        j,
        alpha,
        d_obs: d,
        refit: Refit::Clauset(opts.clone()),
        ks: opts.ks,
        seed: boot.seed,
        replicates: boot.replicates,
    };
    Ok((fit, job.run(progress)?))
}
