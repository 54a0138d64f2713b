//! The page's shareable state: an [`ExperimentConfig`] in the URL hash, read and written by the
//! CLI's own codec ([`url::Link`]), so a link opened in the page and the same string given to
//! `sgn-lab run --url` run the same experiment with the same numbers; and the control table
//! ([`controls::CONTROLS`]) the page builds its menus from.

use super::{from_js, js_err, to_js};
use crate::experiment::controls::{self, CONTROLS};
use crate::experiment::embed::{self, Layout, VIEWS};
use crate::experiment::url::{Flags, Link};
use crate::experiment::ExperimentConfig;
use serde::Serialize;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

/// Largest seed the page can hold exactly (JS numbers are f64: 2⁵³ − 1).
pub const MAX_PAGE_SEED: u64 = (1 << 53) - 1;

/// The configuration the page starts from ([`ExperimentConfig::lab_default`]).
#[wasm_bindgen]
pub fn lab_default_config() -> Result<JsValue, JsError> {
    to_js(&ExperimentConfig::lab_default())
}

/// A configuration from the page (a JS object of an `ExperimentConfig`), parsed like the CLI's
/// `--config` (keys not given keep their defaults, unknown keys refused) and range-checked.
pub(crate) fn config_from_js(v: JsValue) -> Result<ExperimentConfig, JsError> {
    let json: serde_json::Value = from_js(v, "configuration")?;
    let cfg = ExperimentConfig::from_json(&json.to_string()).map_err(js_err)?;
    cfg.check_ranges().map_err(js_err)?;
    Ok(cfg)
}

/// What the page reads from a link.
#[derive(Serialize)]
struct PageLink {
    /// `null` when the link holds no configuration (the page keeps or picks its own).
    config: Option<ExperimentConfig>,
    seeded: bool,
    flags: Flags,
    /// How an embed is laid out (`null` when the page is not embedded).
    layout: Option<Layout>,
    /// Why the link's settings could not be read (then `config` is null).
    error: Option<String>,
}

/// Reads a link or hash ([`Link::parse`]): `{config, seeded, flags: {embed, hide, tour}, error}`.
/// A seed a JS number cannot hold is an error.
#[wasm_bindgen]
pub fn read_link(link: &str) -> Result<JsValue, JsError> {
    let l = Link::parse(link);
    let mut error = l.error.map(|e| e.to_string());
    let mut config = l.config.filter(|c| match c.check_ranges() {
        Ok(()) => true,
        Err(e) => {
            error = Some(e.to_string());
            false
        }
    });
    if let Some(c) = config.as_ref().filter(|c| c.seed > MAX_PAGE_SEED) {
        error = Some(format!(
            "URL state: seed {} is above 2^53 − 1, the largest the page can hold",
            c.seed
        ));
        config = None;
    }
    let error = error.map(|e| format!("The link's settings could not be read ({e}); showing the defaults."));
    to_js(&PageLink {
        seeded: l.seeded && config.is_some(),
        config,
        layout: l.flags.layout(),
        flags: l.flags,
        error,
    })
}

/// The hash (`#v1.…&embed=1&hide=…&tour=N`) of a configuration and presentation flags.
#[wasm_bindgen]
pub fn write_link(config: JsValue, flags: JsValue) -> Result<String, JsError> {
    let cfg = config_from_js(config)?;
    let flags: Flags = from_js(flags, "link flags")?;
    Link::hash(&cfg, &flags).map_err(js_err)
}

/// The page's menus: `[{key, label, group, options: [[value, text], …]}, …]`.
#[wasm_bindgen]
pub fn controls() -> Result<JsValue, JsError> {
    to_js(&CONTROLS.iter().map(|c| c.spec()).collect::<Vec<_>>())
}

/// What every menu shows for a configuration: `{key: {kind: "option" | "other" |
/// "not_applicable", value}}`.
#[wasm_bindgen]
pub fn control_values(config: JsValue) -> Result<JsValue, JsError> {
    let cfg = config_from_js(config)?;
    to_js(
        &CONTROLS
            .iter()
            .map(|c| (c.key, c.value(&cfg)))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// The configuration with option `value` of menu `key` chosen.
#[wasm_bindgen]
pub fn apply_control(config: JsValue, key: &str, value: &str) -> Result<JsValue, JsError> {
    let cfg = config_from_js(config)?;
    let c = controls::find(key).ok_or_else(|| js_err(format!("no control {key:?}")))?;
    to_js(
        &c.apply(&cfg, value)
            .ok_or_else(|| js_err(format!("{key}: no option {value:?}")))?,
    )
}

/// The embed views for the author's menu: `[{key, label, fallback_height}, …]`.
#[wasm_bindgen]
pub fn embed_views() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Choice {
        key: &'static str,
        label: &'static str,
        fallback_height: u32,
    }
    to_js(
        &VIEWS
            .iter()
            .map(|s| Choice {
                key: s.key,
                label: s.label,
                fallback_height: s.fallback_height,
            })
            .collect::<Vec<_>>(),
    )
}

/// The embed code ([`embed::snippet`]) for the embed link `src` (its flags name the view and
/// the id) served from `origin`.
#[wasm_bindgen]
pub fn embed_snippet(src: &str, origin: &str) -> Result<String, JsError> {
    let flags = Link::parse(src).flags;
    let layout = flags
        .layout()
        .ok_or_else(|| js_err("embed code: the link is not an embed link"))?;
    let id = flags.id.ok_or_else(|| js_err("embed code: the link has no id"))?;
    let title = format!("sgn-lab: {}", layout.figure);
    Ok(embed::snippet(src, origin, &id, &title, layout.fallback_height))
}
