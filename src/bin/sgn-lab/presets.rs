//! `sgn-lab presets`: the presets with the claim each one tests.

use crate::CliError;
use sgn_lab::experiment::presets;

pub fn run() -> Result<serde_json::Value, CliError> {
    serde_json::to_value(presets::infos())
        .map(|p| serde_json::json!({ "presets": p }))
        .map_err(|e| CliError {
            message: e.to_string(),
            code: 1,
        })
}
