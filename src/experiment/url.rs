//! Links: the compact URL-hash codec for [`ExperimentConfig`] and the page's presentation flags —
//! the one place a link is read ([`Link::parse`]) and written ([`Link::hash`]), by the page and
//! the CLI alike.
//!
//! `encode(c)` = `"v1." + base64url(JSON of the keys of c that differ from the default)`,
//! without padding (RFC 4648 §5). Nested objects are diffed recursively; arrays, enums and
//! scalars are written whole when they differ. The default configuration encodes as `"v1."`.
//! `decode` applies the keys on the default ([`super::with_overrides`]), so unknown keys and
//! wrong types are refused, and `decode(encode(c)) == c` for every configuration.
//!
//! A page link is `#v1.<config>` followed by presentation flags that are not part of the
//! experiment (the CLI ignores them): `&embed=1`, `&hide=data,model,…` ([`HIDEABLE`]),
//! `&tour=N` (the open tour step) and an embed's `&view=…&kind=…&edit=1&start=visible&id=…`
//! ([`super::embed`]; `view=` alone implies `embed=1`, and `embed=1` alone is the `lab` view). Older `#seed=7&data=digits&lr=0.3` links still open: their
//! keys are the page's control keys ([`super::controls::CONTROLS`]).

use super::config::{ExperimentConfig, ExperimentError};
use super::embed::{self, Start, TailKind, View};
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::Serialize;
use serde_json::{Map, Value};

/// Version prefix of the hash format.
pub const PREFIX: &str = "v1.";

/// Parts of the page a classroom or embed link can hide: the setting groups (`data`, `model`,
/// `optimizer`, `measurement`), the seed, the upload and the tour each separately; `setup`,
/// `training`, `structure` from older links.
pub const HIDEABLE: &[&str] = &[
    "data",
    "model",
    "optimizer",
    "seed",
    "measurement",
    "upload",
    "tour",
    "setup",
    "training",
    "structure",
];

/// base64url without padding.
pub fn b64url_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Inverse of [`b64url_encode`]; padding `=` and the standard alphabet (`+`, `/`) are accepted
/// too. `None` on a bad character or length.
pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    URL_SAFE_NO_PAD.decode(s).or_else(|_| STANDARD_NO_PAD.decode(s)).ok()
}

/// How the page is shown: not part of the experiment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Flags {
    /// Minimal chrome for an `<iframe>`.
    pub embed: bool,
    /// Parts hidden in a classroom link (each one of [`HIDEABLE`]).
    pub hide: Vec<String>,
    /// The open tour step (1-based).
    pub tour: Option<usize>,
    /// What an embed shows (`None` with `embed`: [`View::Lab`], what `&embed=1` showed before).
    pub view: Option<View>,
    /// The one tail sample of a [`View::Tails`] embed (none: all four).
    pub kind: Option<TailKind>,
    /// The reader of an embed may change the settings.
    pub edit: bool,
    /// When an embed's engine starts.
    pub start: Start,
    /// The embed's name in its height messages ([`embed::valid_id`]).
    pub id: Option<String>,
}

impl Flags {
    /// The embed's layout ([`embed::layout`]), `None` when the page is not embedded.
    pub fn layout(&self) -> Option<embed::Layout> {
        self.embed
            .then(|| embed::layout(self.view.unwrap_or(View::Lab), self.kind, self.edit))
    }
}

/// A link read: its configuration (none when the link holds none, or when it could not be
/// read: then `error` says why) and its presentation flags.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub config: Option<ExperimentConfig>,
    /// The link fixed the seed (a `v1.` state always does; an older link with `seed=`).
    pub seeded: bool,
    pub flags: Flags,
    pub error: Option<ExperimentError>,
}

impl Link {
    /// Reads a whole link (`https://…/#v1.…&embed=1`), a hash (`#…`) or the state alone. Never
    /// fails: a state that cannot be read leaves `config` empty with the reason in `error`, and
    /// the flags are still read.
    pub fn parse(link: &str) -> Link {
        let hash = link.rsplit_once('#').map_or(link, |(_, h)| h);
        let (state, params) = if hash.starts_with('v') {
            hash.split_once('&').unwrap_or((hash, ""))
        } else {
            ("", hash)
        };
        let pairs: Vec<(&str, &str)> = params.split('&').filter_map(|p| p.split_once('=')).collect();
        let get = |k: &str| pairs.iter().rev().find(|(key, _)| *key == k).map(|(_, v)| *v);
        let view = get("view").and_then(View::from_key);
        let flags = Flags {
            embed: get("embed") == Some("1") || view.is_some(),
            view,
            kind: get("kind").and_then(TailKind::from_key),
            edit: get("edit") == Some("1"),
            start: if get("start") == Some("visible") {
                Start::Visible
            } else {
                Start::Click
            },
            id: get("id").filter(|i| embed::valid_id(i)).map(String::from),
            hide: get("hide")
                .map(|h| {
                    h.split([',', '%'])
                        .filter(|p| HIDEABLE.contains(p))
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
            tour: get("tour")
                .and_then(|t| t.parse().ok())
                .filter(|t| (1..=1000).contains(t)),
        };
        if !state.is_empty() {
            return match decode(state) {
                Ok(c) => Link {
                    config: Some(c),
                    seeded: true,
                    flags,
                    error: None,
                },
                Err(e) => Link {
                    config: None,
                    seeded: false,
                    flags,
                    error: Some(e),
                },
            };
        }
        // An older link (`seed=7&data=digits`) or none: control values on the page's defaults.
        let mut config = ExperimentConfig::lab_default();
        let mut legacy = false;
        for c in super::controls::CONTROLS {
            if let Some(next) = get(c.key).and_then(|v| c.apply(&config, v)) {
                config = next;
                legacy = true;
            }
        }
        let seed = get("seed")
            .filter(|s| (1..=15).contains(&s.len()))
            .and_then(|s| s.parse::<u64>().ok());
        if let Some(s) = seed {
            config.seed = s;
        }
        Link {
            config: (legacy || seed.is_some()).then_some(config),
            seeded: seed.is_some(),
            flags,
            error: None,
        }
    }

    /// The hash of a configuration and flags: `#v1.…` then `&embed=1`, `&hide=…`, `&tour=N`,
    /// and for an embed `&view=…&kind=…&edit=1&start=visible&id=…` (each when set).
    pub fn hash(config: &ExperimentConfig, flags: &Flags) -> Result<String, ExperimentError> {
        let mut h = format!("#{}", encode(config)?);
        if flags.embed {
            h += "&embed=1";
        }
        let hide: Vec<&str> = flags
            .hide
            .iter()
            .map(String::as_str)
            .filter(|p| HIDEABLE.contains(p))
            .collect();
        if !hide.is_empty() {
            h += &format!("&hide={}", hide.join(","));
        }
        if let Some(t) = flags.tour {
            h += &format!("&tour={t}");
        }
        if flags.embed {
            if let Some(v) = flags.view {
                h += &format!("&view={}", v.spec().key);
            }
            if let (Some(View::Tails), Some(k)) = (flags.view, flags.kind) {
                h += &format!("&kind={}", k.key());
            }
            if flags.edit {
                h += "&edit=1";
            }
            if flags.start == Start::Visible {
                h += "&start=visible";
            }
            if let Some(id) = flags.id.as_deref().filter(|i| embed::valid_id(i)) {
                h += &format!("&id={id}");
            }
        }
        Ok(h)
    }
}

/// The keys of `v` that differ from `base` (recursively for objects); `None` if equal.
pub fn diff(base: &Value, v: &Value) -> Option<Value> {
    match (base, v) {
        (Value::Object(b), Value::Object(o)) => {
            let mut m = Map::new();
            for (k, ov) in o {
                match b.get(k) {
                    Some(bv) if bv.is_object() && ov.is_object() && same_variant(bv, ov) => {
                        if let Some(d) = diff(bv, ov) {
                            m.insert(k.clone(), d);
                        }
                    }
                    Some(bv) if bv == ov => {}
                    _ => {
                        m.insert(k.clone(), ov.clone());
                    }
                }
            }
            (!m.is_empty()).then_some(Value::Object(m))
        }
        _ => (base != v).then(|| v.clone()),
    }
}

/// Internally tagged enums (`{"kind": …}`) of different variants are replaced whole, so a
/// variant's fields never merge into another's.
fn same_variant(a: &Value, b: &Value) -> bool {
    a.get("kind") == b.get("kind")
}

/// Encodes the configuration as a URL-hash string (see the module doc).
pub fn encode(c: &ExperimentConfig) -> Result<String, ExperimentError> {
    let base = serde_json::to_value(ExperimentConfig::default()).map_err(|e| ExperimentError::Url(e.to_string()))?;
    let v = serde_json::to_value(c).map_err(|e| ExperimentError::Url(e.to_string()))?;
    match diff(&base, &v) {
        None => Ok(PREFIX.to_string()),
        Some(d) => Ok(format!("{PREFIX}{}", b64url_encode(d.to_string().as_bytes()))),
    }
}

/// Decodes a URL-hash string (a leading `#` is ignored). Unknown keys, wrong types, a wrong
/// version prefix or bad base64 are typed errors; ranges are checked later by `check`.
pub fn decode(s: &str) -> Result<ExperimentConfig, ExperimentError> {
    let s = s.strip_prefix('#').unwrap_or(s);
    let body = s
        .strip_prefix(PREFIX)
        .ok_or_else(|| ExperimentError::Url(format!("expected the prefix {PREFIX:?}")))?;
    if body.is_empty() {
        return Ok(ExperimentConfig::default());
    }
    let bytes = b64url_decode(body).ok_or_else(|| ExperimentError::Url("not base64url".into()))?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| ExperimentError::Url(e.to_string()))?;
    super::with_overrides(&ExperimentConfig::default(), &v).map_err(|e| ExperimentError::Url(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        for n in 0..20 {
            let v: Vec<u8> = (0..n).map(|i| (i * 37 + 5) as u8).collect();
            assert_eq!(b64url_decode(&b64url_encode(&v)).unwrap(), v);
        }
        assert!(b64url_decode("a").is_none());
        assert!(b64url_decode("ab*c").is_none());
    }

    #[test]
    fn a_link_gives_its_config_and_flags_and_older_links_still_open() {
        let mut c = ExperimentConfig::lab_default();
        c.seed = 7;
        c.training.lr = 0.3;
        let flags = Flags {
            embed: true,
            hide: vec!["seed".into(), "tour".into()],
            tour: Some(3),
            ..Flags::default()
        };
        let h = Link::hash(&c, &flags).unwrap();
        let l = Link::parse(&format!("https://example.org/lab/{h}"));
        assert_eq!(
            (l.config.as_ref(), l.seeded, &l.flags, &l.error),
            (Some(&c), true, &flags, &None)
        );
        // An older link: control keys on the page's defaults.
        let l = Link::parse("#seed=7&data=digits&lr=0.3&embed=1&hide=data,bogus");
        let mut want = ExperimentConfig::lab_default();
        want.seed = 7;
        want.training.lr = 0.3;
        want.data.dataset = crate::data::DatasetSpec::Digits8x8;
        assert_eq!(l.config, Some(want));
        assert_eq!(
            l.flags,
            Flags {
                embed: true,
                hide: vec!["data".into()],
                tour: None,
                ..Flags::default()
            }
        );
        // Nothing to read: no config; a bad state: no config, the reason, the flags still read.
        assert_eq!(Link::parse("").config, None);
        let l = Link::parse("#v1.%%%&tour=2");
        assert!(l.config.is_none() && l.error.is_some() && l.flags.tour == Some(2));
    }

    #[test]
    fn embed_flags_round_trip_and_older_embeds_open_the_lab_view() {
        let c = ExperimentConfig::lab_default();
        let flags = Flags {
            embed: true,
            view: Some(View::Tails),
            kind: Some(TailKind::DimSgn),
            edit: true,
            start: Start::Visible,
            id: Some("fig-2".into()),
            ..Flags::default()
        };
        let h = Link::hash(&c, &flags).unwrap();
        assert!(
            h.ends_with("&embed=1&view=tails&kind=dim-sgn&edit=1&start=visible&id=fig-2"),
            "{h}"
        );
        assert_eq!(Link::parse(&h).flags, flags);
        let l = flags.layout().unwrap();
        assert_eq!((l.view, l.kind), (View::Tails, Some("dim-sgn")));
        // `embed=1` alone: the lab view, as before views existed; `view=` alone: an embed.
        let old = Link::parse("#v1.&embed=1").flags;
        assert_eq!(old.layout().unwrap().view, View::Lab);
        assert_eq!(old.layout().unwrap().parts, View::Lab.spec().parts);
        let l = Link::parse("#v1.&view=spectrum&kind=dim-g&id=a%20b").flags;
        assert!(l.embed && l.view == Some(View::Spectrum) && l.id.is_none());
        assert_eq!(l.layout().unwrap().kind, None, "a kind only applies to the tails");
        // Unknown values are ignored; an embed's flags are not written into a non-embed link.
        let l = Link::parse("#v1.&view=bogus&kind=x&start=now&edit=yes").flags;
        assert_eq!(l, Flags::default());
        assert!(l.layout().is_none());
        let plain = Flags {
            view: Some(View::Train),
            edit: true,
            ..Flags::default()
        };
        assert_eq!(Link::hash(&c, &plain).unwrap(), format!("#{}", encode(&c).unwrap()));
    }

    #[test]
    fn default_is_just_the_prefix() {
        assert_eq!(encode(&ExperimentConfig::default()).unwrap(), "v1.");
        assert_eq!(decode("#v1.").unwrap(), ExperimentConfig::default());
        assert!(decode("v2.").is_err());
    }
}
