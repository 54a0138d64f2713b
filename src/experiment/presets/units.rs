//! A preset run as a list of independent units of work, so the CLI can spread them over the
//! machine's cores and the page over a pool of workers with byte-identical reports.
//!
//! The identity rule (`docs/ARCHITECTURE.md`, "Units of work"): a unit is a replicate r of a
//! preset — for the tour, replicate r of the whole tour, which keeps its reuse of the default
//! network inside the unit — or, for the tour split finer, the part p of replicate r. A unit is
//! seeded by its index only ([`replicate_seed`]`(base.seed, r)`; a part runs exactly as its preset
//! alone at that seed, which `tests/experiment_presets.rs` checks against the tour's reuse), it
//! reads nothing another unit wrote, and [`combine`] puts the units' reports together in the
//! plan's fixed order. So the report does not depend on how many threads or workers ran the
//! units, nor on which finished first.

use super::tour::{self, PaperTour};
use super::{get, replicated, run_in, Preset};
use crate::experiment::config::{ExperimentConfig, ExperimentError};
use crate::experiment::context::{Assets, Ctx, Progress, ProgressFn};
use crate::experiment::report::Report;
use crate::rng::replicate_seed;
use serde::{Deserialize, Serialize};

/// One unit of a preset run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// The replicate r: the unit runs at seed [`replicate_seed`]`(base.seed, r)`.
    pub replicate: usize,
    /// The tour's part p (its index in [`tour::parts`]) when the tour is split by part; `None`
    /// for the whole preset (for the tour: every part, the default network trained once).
    pub part: Option<usize>,
}

/// How finely a run is cut into units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// One unit per replicate.
    #[default]
    Replicates,
    /// For the tour, one unit per (replicate, part): better balanced over many threads, but each
    /// part that trains the default network trains it again (7 trainings instead of 1 per
    /// replicate). Other presets are split by replicate.
    Parts,
}

/// The configuration of replicate `r`: `base` at seed [`replicate_seed`]`(base.seed, r)`.
fn replicate_config(base: &ExperimentConfig, r: usize) -> ExperimentConfig {
    ExperimentConfig {
        seed: replicate_seed(base.seed, r),
        ..base.clone()
    }
}

/// The units of preset `name` on `base`, in the order [`combine`] expects their reports:
/// replicate by replicate (and part by part within a replicate of the split tour).
pub fn plan(name: &str, base: &ExperimentConfig, split: Split) -> Result<Vec<Unit>, ExperimentError> {
    base.check_ranges()?;
    let by_part = split == Split::Parts && is_tour(get(name)?);
    let parts = if by_part { tour::parts().count() } else { 0 };
    Ok((0..base.replicates.max(1))
        .flat_map(|r| {
            let one = (!by_part).then_some(Unit {
                replicate: r,
                part: None,
            });
            one.into_iter().chain((0..parts).map(move |p| Unit {
                replicate: r,
                part: Some(p),
            }))
        })
        .collect())
}

fn is_tour(p: &dyn Preset) -> bool {
    p.info().name == PaperTour.info().name
}

/// Runs one unit of preset `name` on `base` into its report: replicate r of the preset (or part
/// p of replicate r of the tour) at seed [`replicate_seed`]`(base.seed, r)`. A replicate other
/// than the first keeps no raw samples (it is never drawn). `progress` sees this unit's own
/// fraction in [0, 1] and cancels it by returning `false`.
pub fn run_unit(
    name: &str,
    base: &ExperimentConfig,
    unit: Unit,
    assets: &mut Assets<'_>,
    progress: &mut ProgressFn<'_>,
) -> Result<Report, ExperimentError> {
    base.check_ranges()?;
    let preset = get(name)?;
    let n = base.replicates.max(1);
    if unit.replicate >= n {
        return Err(ExperimentError::Internal(format!(
            "unit of replicate {} in a run of {n}",
            unit.replicate
        )));
    }
    let seeded = replicate_config(base, unit.replicate);
    let mut report = match unit.part {
        None => {
            let mut ctx = Ctx::new(assets, progress, name, is_tour(preset));
            run_in(&mut ctx, preset, &seeded)?
        }
        Some(p) => {
            let part = tour::parts()
                .nth(p)
                .filter(|_| is_tour(preset))
                .ok_or_else(|| ExperimentError::Internal(format!("{name} has no part {p}")))?;
            let mut ctx = Ctx::new(assets, progress, part.info().name, false);
            run_in(&mut ctx, part, &seeded)?
        }
    };
    if unit.replicate > 0 {
        report.drop_samples();
    }
    Ok(report)
}

/// The report of preset `name` on `base` from its units' reports, given in the order of
/// [`plan`] (whatever order they finished in): each replicate's report (for the split tour, its
/// parts assembled with the tour's verdict, as the whole tour makes it), then the replicates
/// combined in replicate order with their summary (`docs/PROTOCOL.md` §7).
pub fn combine(
    name: &str,
    base: &ExperimentConfig,
    units: &[Unit],
    reports: Vec<Report>,
) -> Result<Report, ExperimentError> {
    let n = base.replicates.max(1);
    let mismatch = |what: &str| ExperimentError::Internal(format!("cannot combine the units of {name}: {what}"));
    if units.len() != reports.len() {
        return Err(mismatch("as many reports as units are needed"));
    }
    let mut runs: Vec<Report> = Vec::with_capacity(n);
    let mut pending: Option<(usize, Vec<Report>)> = None;
    for (u, r) in units.iter().zip(reports) {
        match u.part {
            None => {
                if runs.len() != u.replicate || pending.is_some() {
                    return Err(mismatch("replicates out of order"));
                }
                runs.push(r);
            }
            Some(p) => {
                let (rep, parts) = pending.get_or_insert_with(|| (u.replicate, Vec::new()));
                if *rep != u.replicate || parts.len() != p || runs.len() != u.replicate {
                    return Err(mismatch("parts out of order"));
                }
                parts.push(r);
                if parts.len() == tour::parts().count() {
                    let (rep, parts) = pending.take().expect("just matched");
                    let seeded = replicate_config(base, rep);
                    let mut whole = tour::assemble(&seeded, parts);
                    if rep > 0 {
                        whole.drop_samples();
                    }
                    runs.push(whole);
                }
            }
        }
    }
    if runs.len() != n || pending.is_some() {
        return Err(mismatch("a replicate is missing"));
    }
    Ok(replicated(runs))
}

/// Runs every unit of a plan one after another in this thread (the page's single-worker path
/// and [`super::run_preset`]); unit i of k reports the fraction (i + f)/k.
pub fn run_serial(
    name: &str,
    base: &ExperimentConfig,
    split: Split,
    assets: &mut Assets<'_>,
    progress: &mut ProgressFn<'_>,
) -> Result<Report, ExperimentError> {
    let units = plan(name, base, split)?;
    let k = units.len() as f64;
    let mut reports = Vec::with_capacity(units.len());
    for (i, u) in units.iter().enumerate() {
        let mut p = |pr: &Progress<'_>| {
            progress(&Progress {
                preset: pr.preset,
                stage: pr.stage,
                fraction: (i as f64 + pr.fraction) / k,
            })
        };
        reports.push(run_unit(name, base, *u, assets, &mut p)?);
    }
    combine(name, base, &units, reports)
}

/// The split the page's pool uses for preset `name` over `replicates` replicates with `workers`
/// workers: the tour by part only when that is expected to finish 10 % sooner. With T the time
/// of one replicate, by replicate takes ⌈R/W⌉ T; by part the work grows by
/// [`PART_SPLIT_OVERHEAD`] (the default network retrained in each part) and spreads over the W
/// workers, plus about one part's time at the end: R·1.25·T/W + T/9. So 3 replicates go by
/// replicate on 1–4 workers and by part on 5 or more. Every other preset goes by replicate.
pub fn pool_split(name: &str, replicates: usize, workers: usize) -> Split {
    let (r, w) = (replicates.max(1) as f64, workers.max(1) as f64);
    let parts = tour::parts().count() as f64;
    let by_replicate = (r / w).ceil();
    let by_part = r * PART_SPLIT_OVERHEAD / w + 1.0 / parts;
    if name == PaperTour.info().name && by_part < 0.9 * by_replicate {
        Split::Parts
    } else {
        Split::Replicates
    }
}

/// The work of the tour split by part over the tour split by replicate: 1.25, measured
/// (`docs/BENCHMARKS.md`, "Every core": 159 s against 129 s natively, 362 s against 281 s in the
/// page, both on the loaded 2-core machine where neither split ran in parallel).
pub const PART_SPLIT_OVERHEAD: f64 = 1.25;

/// How many workers the page's pool starts: one per core but the one the page's own thread and
/// the lab's worker use (`hardware_concurrency − 1`, at least 1), no more than the memory allows
/// — each worker's engine holds at most `memory_cap` bytes (the memory estimate checks every arm
/// against it before allocating) plus its wasm module and datasets, `WORKER_BASE_BYTES`, and the
/// pool may take half of `device_memory` (`navigator.deviceMemory`, when the browser tells) —
/// and no more than `cap` (the page's setting; 0: no cap).
pub fn pool_size(hardware_concurrency: usize, device_memory: Option<u64>, memory_cap: u64, cap: usize) -> usize {
    let mut n = hardware_concurrency.saturating_sub(1).max(1);
    if let Some(bytes) = device_memory {
        let per_worker = memory_cap.saturating_add(WORKER_BASE_BYTES).max(1);
        n = n.min(((bytes / 2) / per_worker).max(1) as usize);
    }
    if cap > 0 {
        n = n.min(cap);
    }
    n
}

/// How many of the page's pool workers a measurement's bootstraps
/// ([`crate::experiment::measure::PendingMeasurement`]) go to, for `chunks` chunks of `work`
/// value-draws in all (Σ n·R over the bootstraps): none (0: run them on the lab's own worker)
/// below [`POOL_MIN_WORK`] or when the pool would have one worker; otherwise one per core
/// (`hardware_concurrency`: the lab's worker only waits for them and the page's thread only
/// dispatches), at most the chunks, at most what half of `device_memory` holds at
/// [`WORKER_BASE_BYTES`] each (a bootstrap worker holds its module and the samples, no arm), at
/// most `cap` (the page's setting; 0: no cap). `force` > 0 sets it (tests, benchmark).
pub fn bootstrap_pool_size(
    hardware_concurrency: usize,
    device_memory: Option<u64>,
    cap: usize,
    force: usize,
    chunks: usize,
    work: u64,
) -> usize {
    if force > 0 {
        return force.min(chunks.max(1));
    }
    let mut n = hardware_concurrency.max(1).min(chunks);
    if let Some(bytes) = device_memory {
        n = n.min(((bytes / 2) / WORKER_BASE_BYTES).max(1) as usize);
    }
    if cap > 0 {
        n = n.min(cap);
    }
    if n < 2 || work < POOL_MIN_WORK {
        0
    } else {
        n
    }
}

/// A measurement's bootstraps split for the page's pool ([`bootstrap_plan`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BootstrapPlan {
    /// Pool workers to use.
    pub workers: usize,
    /// Replicates in all (Σ R).
    pub replicates: usize,
    /// `(job, start, end)`: replicates `start..end` of job `job`, every job's 0..R covered once,
    /// in chunks of [`crate::stats::powerlaw::CHUNK`].
    pub chunks: Vec<(usize, usize, usize)>,
    /// The share of the measurement's progress bar done before the bootstraps (their stage is
    /// the last of [`crate::experiment::measure::STAGES`]): the pool's own fraction fills the rest.
    pub progress_from: f64,
}

/// The plan for `jobs` on the page's pool ([`bootstrap_pool_size`] from the browser's hints),
/// or `None` when they stay on the lab's worker.
pub fn bootstrap_plan(
    jobs: &[&crate::stats::BootstrapJob],
    hardware_concurrency: usize,
    device_memory: Option<u64>,
    cap: usize,
    force: usize,
) -> Option<BootstrapPlan> {
    let chunks: Vec<(usize, usize, usize)> = jobs
        .iter()
        .enumerate()
        .flat_map(|(k, j)| j.chunks().map(move |c| (k, c.start, c.end)))
        .collect();
    let work: u64 = jobs.iter().map(|j| (j.x.len() * j.replicates) as u64).sum();
    let workers = bootstrap_pool_size(hardware_concurrency, device_memory, cap, force, chunks.len(), work);
    let stages = crate::experiment::measure::STAGES.len();
    (workers > 0 && !chunks.is_empty()).then(|| BootstrapPlan {
        workers,
        replicates: jobs.iter().map(|j| j.replicates).sum(),
        chunks,
        progress_from: (stages - 1) as f64 / stages as f64,
    })
}

/// Value-draws (Σ n·R) below which a measurement's bootstraps run on the lab's worker: about
/// 0.15 s there (Chromium draws and re-fits ~3·10⁶ values a second, `docs/BENCHMARKS.md`), the
/// order of starting a pool worker and instantiating its wasm module. The page's default
/// (M = 200 draws, 1000 replicates: 2·10⁵) stays; M ≥ 500 goes to the pool.
pub const POOL_MIN_WORK: u64 = 500_000;

/// A worker's memory besides its engine's arms: the wasm module's instance and stack, the
/// datasets handed to it (the MNIST subset, 8×8 digits and the tables: < 10 MB) and its copy of
/// the decoded data. 64 MiB.
pub const WORKER_BASE_BYTES: u64 = 64 << 20;

/// Where a run spread over threads is: `done` of `total` units finished; `fraction` is the whole
/// run's (every unit's own fraction, summed, over `total`); `preset` and `stage` are the unit's
/// that reported.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolProgress<'a> {
    pub preset: &'a str,
    pub stage: &'a str,
    pub unit: Unit,
    pub done: usize,
    pub total: usize,
    pub fraction: f64,
}

/// Runs the units of a plan as tasks of the current rayon pool (the global pool that
/// `nn::linalg`'s products and the eigensolver also use: a unit's large products become tasks of
/// the same pool; a `ThreadPool::install` caps all of it), then [`combine`]s them in plan order,
/// so the report is byte-identical whatever the pool's size. `assets` is called from several
/// threads (the CLI reads every file once before the run and hands out copies); `progress` too,
/// and returning `false` cancels every unit at its next tick. An error of a unit ends the run
/// (the first in plan order that is not the cancellation it caused elsewhere).
#[cfg(not(target_arch = "wasm32"))]
pub fn run_parallel(
    name: &str,
    base: &ExperimentConfig,
    split: Split,
    assets: &(dyn Fn(&str) -> Option<Vec<u8>> + Sync),
    progress: &(dyn Fn(&PoolProgress<'_>) -> bool + Sync),
) -> Result<Report, ExperimentError> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;

    let units = plan(name, base, split)?;
    let total = units.len();
    let stop = AtomicBool::new(false);
    // Each unit's own fraction and whether it finished: the aggregate is read under the lock.
    let state = Mutex::new((vec![0.0f64; total], 0usize));
    let results: Vec<Result<Report, ExperimentError>> = units
        .par_iter()
        .enumerate()
        .map(|(i, &unit)| {
            if stop.load(Ordering::Relaxed) {
                return Err(ExperimentError::Cancelled);
            }
            let mut load = |file: &str| assets(file);
            let mut tick = |p: &Progress<'_>| {
                if stop.load(Ordering::Relaxed) {
                    return false;
                }
                let (done, fraction) = {
                    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                    s.0[i] = p.fraction;
                    (s.1, s.0.iter().sum::<f64>() / total as f64)
                };
                let go = progress(&PoolProgress {
                    preset: p.preset,
                    stage: p.stage,
                    unit,
                    done,
                    total,
                    fraction,
                });
                if !go {
                    stop.store(true, Ordering::Relaxed);
                }
                go
            };
            let r = run_unit(name, base, unit, &mut load, &mut tick);
            match &r {
                Ok(_) => {
                    let (done, fraction) = {
                        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                        s.0[i] = 1.0;
                        s.1 += 1;
                        (s.1, s.0.iter().sum::<f64>() / total as f64)
                    };
                    // A unit's end is a tick of its own: units that finish together would
                    // otherwise leave the count of units done unreported.
                    let go = progress(&PoolProgress {
                        preset: name,
                        stage: "unit done",
                        unit,
                        done,
                        total,
                        fraction,
                    });
                    if !go {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
                Err(_) => stop.store(true, Ordering::Relaxed),
            }
            r
        })
        .collect();
    let mut reports = Vec::with_capacity(total);
    let mut cancelled = false;
    let mut first_error = None;
    for r in results {
        match r {
            Ok(r) => reports.push(r),
            Err(ExperimentError::Cancelled) => cancelled = true,
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    if cancelled {
        return Err(ExperimentError::Cancelled);
    }
    combine(name, base, &units, reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_leaves_a_core_and_fits_in_half_the_memory() {
        const GIB: u64 = 1 << 30;
        let cap = 512 << 20;
        assert_eq!(pool_size(1, None, cap, 0), 1);
        assert_eq!(pool_size(2, None, cap, 0), 1);
        assert_eq!(pool_size(8, None, cap, 0), 7);
        assert_eq!(pool_size(8, Some(8 * GIB), cap, 0), 7, "4 GiB hold 7 × 576 MiB");
        assert_eq!(pool_size(8, Some(2 * GIB), cap, 0), 1);
        assert_eq!(pool_size(8, Some(4 * GIB), cap, 0), 3);
        assert_eq!(pool_size(8, Some(GIB / 4), cap, 0), 1, "at least one");
        assert_eq!(pool_size(8, None, cap, 2), 2);
        assert_eq!(pool_split("paper-tour", 3, 1), Split::Replicates);
        // Bootstraps: below the work bound, or with one worker, they stay on the lab's worker.
        assert_eq!(bootstrap_pool_size(8, None, 0, 0, 32, POOL_MIN_WORK - 1), 0);
        assert_eq!(bootstrap_pool_size(1, None, 0, 0, 32, POOL_MIN_WORK), 0);
        assert_eq!(bootstrap_pool_size(2, None, 0, 0, 32, POOL_MIN_WORK), 2);
        assert_eq!(bootstrap_pool_size(8, None, 3, 0, 32, POOL_MIN_WORK), 3);
        assert_eq!(bootstrap_pool_size(8, None, 0, 0, 5, POOL_MIN_WORK), 5);
        assert_eq!(bootstrap_pool_size(8, Some(256 << 20), 0, 0, 32, POOL_MIN_WORK), 2);
        assert_eq!(bootstrap_pool_size(2, None, 0, 3, 32, 10), 3, "forced");
        // The plan covers every replicate of every job once, in chunks.
        let job = |n: usize, r: usize| crate::stats::BootstrapJob {
            x: (1..=n).map(|i| i as f64).collect(),
            j: n / 2,
            alpha: 2.5,
            d_obs: 0.05,
            refit: crate::stats::powerlaw::Refit::TopK(n / 2),
            ks: Default::default(),
            seed: 1,
            replicates: r,
        };
        let (a, b) = (job(1000, 1000), job(300, 70));
        let plan = bootstrap_plan(&[&a, &b], 2, None, 0, 0).expect("1.02e6 value-draws go to the pool");
        assert_eq!((plan.workers, plan.replicates), (2, 1070));
        for (k, r) in [(0, 1000), (1, 70)] {
            let mut covered: Vec<usize> = plan.chunks.iter().filter(|c| c.0 == k).flat_map(|c| c.1..c.2).collect();
            covered.sort_unstable();
            assert_eq!(covered, (0..r).collect::<Vec<_>>());
        }
        assert!(plan.chunks.iter().all(|c| c.2 - c.1 <= crate::stats::powerlaw::CHUNK));
        assert_eq!(
            bootstrap_plan(&[&b], 8, None, 0, 0),
            None,
            "21,000 value-draws stay on the lab's worker"
        );
        assert_eq!(bootstrap_plan(&[], 8, None, 0, 4), None, "no bootstrap, no plan");
        assert_eq!(pool_split("paper-tour", 3, 2), Split::Replicates);
        assert_eq!(pool_split("paper-tour", 3, 4), Split::Replicates);
        assert_eq!(pool_split("paper-tour", 3, 5), Split::Parts);
        assert_eq!(pool_split("paper-tour", 1, 2), Split::Parts);
        assert_eq!(pool_split("paper-tour", 10, 7), Split::Replicates);
        assert_eq!(pool_split("heavy-tails", 3, 2), Split::Replicates);
    }
}
