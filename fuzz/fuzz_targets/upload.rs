//! "Analyze your own gradients": the page's upload path (`.npy` by its magic string, otherwise
//! UTF-8 CSV / whitespace text, as `src/web/upload.rs` does) into
//! `experiment::analyze::analyze_dump`, with small size limits so every input is cheap.
//!
//! Input: 12 bytes of options (row kind, rule, K, level — including invalid ones —, max_samples
//! 0..=4, spectrum on/off, seed), then the file.
//!
//! Checks: only invalid options are errors; every rate is a probability with tested + skipped =
//! samples; example reports, Gaussianity and spectrum satisfy their invariants (p ∈ [0, 1],
//! statistics finite, eigenvalues descending and ≥ 0); a spectrum is either present or explained;
//! the analysis serialises to JSON.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sgn_lab::data::npy::{is_npy, read_npy_max};
use sgn_lab::data::text::parse_matrix_max;
use sgn_lab::experiment::analyze::{analyze_dump, AnalyzeOptions, RowKind};
use sgn_lab::experiment::Rule;
use sgn_lab_fuzz::{check_gaussianity, check_power_law, check_rate, check_spectrum_report, Cursor};

const MAX_VALUES: usize = 1024;

fuzz_target!(|data: &[u8]| {
    if data.len() > 16384 {
        return;
    }
    let mut c = Cursor::new(data);
    let rows = if c.bool() {
        RowKind::Samples
    } else {
        RowKind::Iterations
    };
    let rule = if c.bool() { Rule::Paper } else { Rule::Clauset };
    let kb = c.u16();
    let k = if kb & 1 == 0 {
        None
    } else {
        Some((kb >> 1) as usize % 300)
    };
    let level = [0.05, 0.10, 0.01, 0.05, 0.2, f64::NAN, 0.05000000000001, 0.0][(c.u8() % 8) as usize];
    let max_samples = (c.u8() % 5) as usize;
    let spectrum = c.bool();
    let seed = c.u64();
    let o = AnalyzeOptions {
        rows,
        rule,
        k,
        level,
        max_samples,
        spectrum,
        seed,
    };
    let valid_opts = (1..=4).contains(&max_samples)
        && [0.10, 0.05, 0.01].iter().any(|l| (level - l).abs() < 1e-12)
        && k.map_or(true, |k| k >= 2);

    let file = c.rest();
    let m = if is_npy(file) {
        match read_npy_max(file, MAX_VALUES) {
            Ok(m) => m,
            Err(e) => return assert!(!e.to_string().is_empty()),
        }
    } else {
        let Ok(text) = std::str::from_utf8(file) else { return };
        match parse_matrix_max(text, MAX_VALUES) {
            Ok(m) => m,
            Err(e) => return assert!(!e.to_string().is_empty()),
        }
    };
    let (m_rows, m_cols) = m.dim();
    assert!(
        m_rows * m_cols <= MAX_VALUES,
        "the readers' limit let {m_rows} × {m_cols} values through"
    );
    match analyze_dump(m.view(), &o) {
        Ok(a) => {
            assert!(valid_opts, "invalid options accepted: {o:?}");
            assert_eq!((a.rows, a.cols, a.row_kind), (m_rows, m_cols, rows));
            check_rate(&a.dimension_wise, m_rows.min(max_samples));
            check_rate(&a.column_wise, m_cols.min(max_samples));
            if let Some(r) = &a.example_row {
                check_power_law(r, m_cols);
            }
            if let Some(r) = &a.example_column {
                check_power_law(r, m_rows);
            }
            assert_eq!(a.example_row.is_some(), a.dimension_wise.tested > 0);
            assert_eq!(a.example_column.is_some(), a.column_wise.tested > 0);
            if let Some(r) = &a.normality_column {
                check_gaussianity(r, m_rows);
            }
            if let Some(r) = &a.normality_row {
                check_gaussianity(r, m_cols);
            }
            match (&a.spectrum, &a.spectrum_error) {
                (Some(s), None) => {
                    assert!(spectrum);
                    assert_eq!((s.n, s.d), (m_rows, m_cols));
                    check_spectrum_report(s);
                }
                (None, Some(e)) => assert!(spectrum && !e.is_empty()),
                (None, None) => assert!(!spectrum),
                (Some(_), Some(_)) => panic!("spectrum and spectrum_error both set"),
            }
            serde_json::to_string(&a).expect("analysis serialises");
        }
        Err(e) => {
            assert!(!valid_opts, "valid options refused: {e} ({o:?})");
            assert!(!e.to_string().is_empty());
        }
    }
});
