//! `data::text::parse_numbers` (the CLI's `powerlaw` / `normality` input and the page's pasted
//! numbers) on arbitrary text.
//!
//! Checks: a success holds only finite numbers, one per token; every error names a token that
//! really is in the input, on the line it says, and really is not a (finite) number; and
//! formatting the parsed values again (three float formats, mixed separators and comments) parses
//! back to the same bits.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sgn_lab::data::text::{parse_numbers, TextError};

fn tokens(line: &str) -> impl Iterator<Item = &str> {
    let line = line.split('#').next().unwrap_or("");
    line.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
}

fn format_back(v: &[f64], style: u8) -> String {
    let mut s = String::from("# re-formatted\n");
    for (i, x) in v.iter().enumerate() {
        match style % 3 {
            0 => s.push_str(&format!("{x}")),
            1 => s.push_str(&format!("{x:e}")),
            _ => s.push_str(&format!("{x:?}")),
        }
        s.push_str(match (i + style as usize) % 4 {
            0 => ", ",
            1 => "\t",
            2 => " # comment 1e999 nan\n",
            _ => "\r\n",
        });
    }
    s
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 4096 {
        return;
    }
    let text = String::from_utf8_lossy(data);
    let n_tokens: usize = text.lines().map(|l| tokens(l).count()).sum();
    match parse_numbers(&text) {
        Ok(v) => {
            assert!(!v.is_empty());
            assert_eq!(v.len(), n_tokens);
            assert!(v.iter().all(|x| x.is_finite()));
            for style in 0..3 {
                let back = parse_numbers(&format_back(&v, style)).expect("formatted numbers parse");
                let a: Vec<u64> = v.iter().map(|x| x.to_bits()).collect();
                let b: Vec<u64> = back.iter().map(|x| x.to_bits()).collect();
                assert_eq!(a, b, "style {style}");
            }
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            match &e {
                TextError::Empty => assert_eq!(n_tokens, 0),
                TextError::NotANumber { token, line } | TextError::NonFinite { token, line } => {
                    let l = text.lines().nth(line - 1).expect("line number within the text");
                    assert!(tokens(l).any(|t| t == token), "token {token:?} not on line {line}");
                    match (&e, token.parse::<f64>()) {
                        (TextError::NotANumber { .. }, r) => assert!(r.is_err()),
                        (TextError::NonFinite { .. }, Ok(x)) => assert!(!x.is_finite()),
                        _ => panic!("{e:?}"),
                    }
                }
                TextError::Ragged { .. } => panic!("parse_numbers never reports ragged rows"),
                TextError::TooMany { .. } => panic!("parse_numbers has no value limit"),
            }
        }
    }
});
