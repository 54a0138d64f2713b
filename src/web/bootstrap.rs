//! A measurement's bootstrap replicates on the page's pool workers (`www/pool.js`): the lab's
//! worker begins the measurement ([`super::lab::Lab::measure_begin`]) and hands out its
//! bootstraps' chunks; a pool worker counts one chunk at a time ([`bootstrap_counts`]); the
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

/// The counts `{used, at_least_as_far}` (numbers) of replicates `start..end` of bootstrap `job` (one of a
/// plan's `jobs`, checked first: a malformed job is a readable error, never a trap).
#[wasm_bindgen]
pub fn bootstrap_counts(job: JsValue, start: usize, end: usize) -> Result<JsValue, JsError> {
    let job: BootstrapJob = from_js(job, "bootstrap job")?;
    job.check().map_err(js_err)?;
    to_js(&job.counts(start..end))
}
