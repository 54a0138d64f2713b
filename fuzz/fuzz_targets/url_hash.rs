//! `experiment::url::decode` (the page's URL hash and the CLI's `--url`) on arbitrary strings.
//!
//! Input: byte 0 picks the mode: the rest as the hash itself, or as JSON that the harness
//! base64url-encodes behind `v1.` (so the fuzzer mutates the JSON, not its base64).
//!
//! Checks: every decoded configuration re-encodes to a canonical hash that decodes to the same
//! configuration (`decode(encode(c)) == c`), and that canonical hash is a fixed point of
//! encode ∘ decode; the base64url codec round-trips whatever it accepts; errors are typed.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sgn_lab::experiment::{url, ExperimentError};

fuzz_target!(|data: &[u8]| {
    if data.len() > 4096 || data.is_empty() {
        return;
    }
    let hash = match data[0] % 3 {
        0 => String::from_utf8_lossy(&data[1..]).into_owned(),
        1 => format!("#v1.{}", url::b64url_encode(&data[1..])),
        _ => format!("v1.{}", String::from_utf8_lossy(&data[1..])),
    };
    if let Some(body) = hash.strip_prefix('#').unwrap_or(&hash).strip_prefix(url::PREFIX) {
        if let Some(bytes) = url::b64url_decode(body) {
            assert_eq!(
                url::b64url_decode(&url::b64url_encode(&bytes)).as_deref(),
                Some(&bytes[..])
            );
        }
    }
    match url::decode(&hash) {
        Ok(c) => {
            let h = url::encode(&c).expect("a decoded config encodes");
            let c2 = url::decode(&h).expect("a canonical hash decodes");
            assert_eq!(c2, c, "decode(encode(c)) != c for {h}");
            assert_eq!(url::encode(&c2).unwrap(), h, "canonical hash is not a fixed point");
        }
        Err(e) => {
            assert!(matches!(e, ExperimentError::Url(_)), "{e:?}");
            assert!(!e.to_string().is_empty());
        }
    }
});
