//! `data::text::parse_matrix` (the CLI's `spectrum` / `analyze` CSV input and the page's dropped
//! `.csv`) on arbitrary text.
//!
//! Checks: a matrix is non-empty, rectangular (`data.len() = rows·cols`) and finite; it agrees
//! with `parse_numbers` whenever both succeed; a ragged-row error names different lengths; and
//! writing the matrix back as CSV (with a header line) parses to the same bits.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ndarray::Array2;
use sgn_lab::data::text::{parse_matrix, parse_numbers, TextError};

fn to_csv(m: &Array2<f64>, header: bool) -> String {
    let mut s = String::new();
    if header {
        let h: Vec<String> = (0..m.ncols()).map(|j| format!("p{j}")).collect();
        s.push_str(&h.join(","));
        s.push('\n');
    }
    for (i, row) in m.outer_iter().enumerate() {
        let r: Vec<String> = row.iter().map(|x| format!("{x:?}")).collect();
        s.push_str(&r.join(","));
        s.push_str(if i % 2 == 0 { "\n" } else { "\r\n\n" });
    }
    s
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 4096 {
        return;
    }
    let text = String::from_utf8_lossy(data);
    match parse_matrix(&text) {
        Ok(m) => {
            assert!(m.nrows() >= 1 && m.ncols() >= 1);
            let data = m.as_slice().expect("standard layout");
            assert!(data.iter().all(|x| x.is_finite()));
            if let Ok(v) = parse_numbers(&text) {
                assert_eq!(v, data, "a text of numbers only has no header row");
            }
            for header in [false, true] {
                let back = parse_matrix(&to_csv(&m, header)).expect("written CSV parses");
                assert_eq!(back.dim(), m.dim());
                let a: Vec<u64> = m.iter().map(|x| x.to_bits()).collect();
                let b: Vec<u64> = back.iter().map(|x| x.to_bits()).collect();
                assert_eq!(a, b);
            }
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            match e {
                TextError::Ragged { line, expected, found } => {
                    assert_ne!(expected, found);
                    assert!(line >= 2 && line <= text.lines().count());
                }
                TextError::NotANumber { line, .. } | TextError::NonFinite { line, .. } => {
                    assert!(line >= 1 && line <= text.lines().count());
                }
                TextError::Empty => {}
                TextError::TooMany { .. } => panic!("parse_matrix has no value limit"),
                TextError::Shape(e) => panic!("rows · cols values always form an array: {e}"),
            }
        }
    }
});
