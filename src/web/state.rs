//! The page's shareable state: an [`ExperimentConfig`] in the URL hash, through the same codec
//! as `sgn-lab run --url` ([`crate::experiment::url`]), so a link opened in the page and the same
//! string given to the CLI run the same experiment with the same numbers.

use super::js_err;
use crate::experiment::{url, ExperimentConfig};
use wasm_bindgen::prelude::*;

/// Largest seed the page can hold exactly (JS numbers are f64: 2⁵³ − 1).
pub const MAX_PAGE_SEED: u64 = (1 << 53) - 1;

/// The configuration the page starts from, as JSON ([`ExperimentConfig::lab_default`]).
#[wasm_bindgen]
pub fn lab_default_config() -> Result<String, JsError> {
    serde_json::to_string(&ExperimentConfig::lab_default()).map_err(js_err)
}

/// Parses and range-checks a configuration JSON from the page.
pub(crate) fn config_from_json(config_json: &str) -> Result<ExperimentConfig, JsError> {
    let cfg = ExperimentConfig::from_json(config_json).map_err(js_err)?;
    cfg.check_ranges().map_err(js_err)?;
    Ok(cfg)
}

/// The hash string (`v1.…`, without `#`) of a configuration JSON.
#[wasm_bindgen]
pub fn config_to_hash(config_json: &str) -> Result<String, JsError> {
    url::encode(&config_from_json(config_json)?).map_err(js_err)
}

/// The configuration JSON of a hash string (`v1.…`, a leading `#` allowed). Unknown keys,
/// wrong types, out-of-range values and seeds a JS number cannot hold are readable errors.
#[wasm_bindgen]
pub fn config_from_hash(hash: &str) -> Result<String, JsError> {
    let cfg = url::decode(hash).map_err(js_err)?;
    cfg.check_ranges().map_err(js_err)?;
    if cfg.seed > MAX_PAGE_SEED {
        return Err(js_err(format!(
            "URL state: seed {} is above 2^53 − 1, the largest the page can hold",
            cfg.seed
        )));
    }
    serde_json::to_string(&cfg).map_err(js_err)
}
