//! Compact URL-hash codec for [`ExperimentConfig`] — the one source of truth used by the page
//! and the CLI.
//!
//! `encode(c)` = `"v1." + base64url(JSON of the keys of c that differ from the default)`,
//! without padding (RFC 4648 §5). Nested objects are diffed recursively; arrays, enums and
//! scalars are written whole when they differ. The default configuration encodes as `"v1."`.
//! `decode` applies the keys on the default ([`super::with_overrides`]), so unknown keys and
//! wrong types are refused, and `decode(encode(c)) == c` for every configuration.

use super::config::{ExperimentConfig, ExperimentError};
use serde_json::{Map, Value};

/// Version prefix of the hash format.
pub const PREFIX: &str = "v1.";

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding.
pub fn b64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Inverse of [`b64url_encode`] (padding `=` tolerated); `None` on a bad character or length.
pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let val = |c: u8| -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'-' | b'+' => Some(62),
            b'_' | b'/' => Some(63),
            _ => None,
        }
    };
    let bytes = s.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c)? << (18 - 6 * i);
        }
        let produced = chunk.len() - 1;
        for i in 0..produced {
            out.push(((n >> (16 - 8 * i)) & 0xff) as u8);
        }
    }
    Some(out)
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
    fn default_is_just_the_prefix() {
        assert_eq!(encode(&ExperimentConfig::default()).unwrap(), "v1.");
        assert_eq!(decode("#v1.").unwrap(), ExperimentConfig::default());
        assert!(decode("v2.").is_err());
    }
}
