//! A measurement's bootstrap replicates on the page's pool workers (`www/pool.js`): the lab's
//! worker begins the measurement ([`super::lab::Lab::measure_begin`]) and hands out its
//! bootstraps' chunks; a pool worker takes the jobs once ([`BootstrapJobs`]) and counts one
//! chunk at a time ([`BootstrapJobs::counts`]); the
//! lab's worker finishes with the summed counts ([`super::lab::Lab::measure_finish`]). Every
//! replicate is seeded by its index and the counts are integers, so any number of workers gives
//! the same bytes.

use super::{from_js, js_err, to_js};
use crate::stats::BootstrapJob;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A value as a JS value with every u64 (the jobs' seeds) as a BigInt, so no seed above 2⁵³
/// loses bits on its way to a worker; the samples' f64 cross as numbers, exactly.
pub(crate) fn to_js_exact<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible().serialize_large_number_types_as_bigints(true))
        .map_err(js_err)
}

/// A plan's bootstrap jobs in a pool worker's engine: deserialised and checked once (a
/// malformed job is a readable error, never a trap), then counted chunk by chunk.
#[wasm_bindgen]
pub struct BootstrapJobs(Vec<BootstrapJob>);

#[wasm_bindgen]
impl BootstrapJobs {
    /// The plan's `jobs`, checked ([`BootstrapJob::check`]).
    #[wasm_bindgen(constructor)]
    pub fn new(jobs: JsValue) -> Result<BootstrapJobs, JsError> {
        let jobs: Vec<BootstrapJob> = from_js(jobs, "bootstrap jobs")?;
        for j in &jobs {
            j.check().map_err(js_err)?;
        }
        Ok(BootstrapJobs(jobs))
    }

    /// The counts `{used, at_least_as_far}` (numbers) of replicates `start..end` of job `job`.
    pub fn counts(&self, job: usize, start: usize, end: usize) -> Result<JsValue, JsError> {
        let j = self
            .0
            .get(job)
            .ok_or_else(|| js_err(format!("no bootstrap job {job} (of {})", self.0.len())))?;
        to_js(&j.counts(start..end))
    }
}
