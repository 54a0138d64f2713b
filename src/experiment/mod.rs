//! Experiments: configurations, presets, running them into reports.
//!
//! Configurations are given as *overrides* on a default: a partial JSON object whose keys
//! replace the default's (recursively for nested objects), so the page, the URL hash and the CLI
//! only carry what differs from the protocol's defaults.

pub mod analyze;
pub mod check;
pub mod config;
pub mod context;
pub mod controls;
pub mod driver;
pub mod embed;
pub mod error;
pub mod measure;
pub mod memory;
pub mod presets;
pub mod report;
pub mod summary;
pub mod url;
pub mod verdict;
pub mod view;

pub use crate::stats::Rule;
pub use check::{CheckedConfig, CheckedMeasurement, CheckedTraining};
pub use config::{AnalysisConfig, DataConfig, ExperimentConfig};
pub use context::Progress;
pub use driver::ArmDriver;
pub use error::ExperimentError;
pub use presets::custom::{custom_report, run_config};
pub use presets::{run_preset, Preset, PresetInfo, REGISTRY};
pub use report::{Report, SCHEMA_VERSION};
pub use verdict::Verdict;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Why overrides could not be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OverrideError {
    #[error("configuration is not a JSON object")]
    NotAnObject,
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// Refuses a JSON array wherever `base` (a serialised default) has an object: serde's derive
/// reads a struct from an array of its fields in declaration order (`{"training": [0.5]}` would
/// set `lr` positionally), a form no documented configuration uses and a typo should not reach.
/// `path` is the dotted key for the error message.
pub fn refuse_positional(base: &Value, over: &Value, path: &str) -> Result<(), OverrideError> {
    match (base, over) {
        (Value::Object(_), Value::Array(_)) => Err(OverrideError::Invalid(format!(
            "`{path}` must be a JSON object, not an array"
        ))),
        (Value::Object(b), Value::Object(o)) => o.iter().try_for_each(|(k, ov)| match b.get(k) {
            Some(bv) => refuse_positional(
                bv,
                ov,
                &if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                },
            ),
            None => Ok(()),
        }),
        _ => Ok(()),
    }
}

/// `base` with the keys of `overrides` replacing its own, recursively for objects
/// (arrays and scalars are replaced whole; `null` sets an optional field to none).
pub fn with_overrides<T: Serialize + DeserializeOwned>(base: &T, overrides: &Value) -> Result<T, OverrideError> {
    if !overrides.is_object() {
        return Err(OverrideError::NotAnObject);
    }
    let mut v = serde_json::to_value(base).map_err(|e| OverrideError::Invalid(e.to_string()))?;
    refuse_positional(&v, overrides, "")?;
    merge(&mut v, overrides);
    serde_json::from_value(v).map_err(|e| OverrideError::Invalid(e.to_string()))
}

fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, ov) in o {
                match b.get_mut(k) {
                    Some(bv) if bv.is_object() && ov.is_object() => merge(bv, ov),
                    _ => {
                        b.insert(k.clone(), ov.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        a: u32,
        b: Vec<u32>,
    }
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        x: f64,
        inner: Inner,
        opt: Option<u32>,
    }

    fn base() -> Outer {
        Outer {
            x: 1.0,
            inner: Inner { a: 1, b: vec![1, 2] },
            opt: Some(3),
        }
    }

    #[test]
    fn nested_keys_replace_only_themselves() {
        let o = with_overrides(&base(), &serde_json::json!({"inner": {"b": [9]}, "opt": null})).unwrap();
        assert_eq!(
            o,
            Outer {
                x: 1.0,
                inner: Inner { a: 1, b: vec![9] },
                opt: None
            }
        );
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_refused() {
        assert!(matches!(
            with_overrides(&base(), &serde_json::json!({"y": 1})),
            Err(OverrideError::Invalid(_))
        ));
        assert!(matches!(
            with_overrides(&base(), &serde_json::json!({"x": "one"})),
            Err(OverrideError::Invalid(_))
        ));
        assert_eq!(
            with_overrides(&base(), &serde_json::json!([1])),
            Err(OverrideError::NotAnObject)
        );
    }

    #[test]
    fn nested_objects_are_not_read_from_arrays() {
        // serde's derive alone would take `[7, [8]]` as Inner { a: 7, b: [8] }.
        let e = with_overrides(&base(), &serde_json::json!({"inner": [7, [8]]})).unwrap_err();
        assert_eq!(
            e,
            OverrideError::Invalid("`inner` must be a JSON object, not an array".into())
        );
        // Arrays where the base has an array are values, not positional structs.
        assert_eq!(
            with_overrides(&base(), &serde_json::json!({"inner": {"b": []}}))
                .unwrap()
                .inner
                .b,
            Vec::<u32>::new()
        );
    }

    #[test]
    fn empty_overrides_give_the_base() {
        assert_eq!(with_overrides(&base(), &serde_json::json!({})).unwrap(), base());
    }
}
