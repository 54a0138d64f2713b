//! Gradient bundles (`.npz`) made by the recipes (`recipes/`, fixtures written by
//! `scripts/check-recipes.sh --fixtures`): read stored and deflated, analysed part by part, and
//! compared with independent oracles —
//!
//! - the covariance spectrum from the bundle's Gram matrix against numpy's eigenvalues of the
//!   explicit per-sample gradient matrix (`*-expected.json`, 1e-10 · λ₁) and against the lab's
//!   own spectrum of that explicit matrix (`*-G.npy`);
//! - every verdict against the same tests run on the equivalent plain `.npy` inputs
//!   (`*-dim_g.npy`, `*-dim_sgn.npy`, `*-iter_g.npy`, `*-iter_sgn.npy`), for several K and both
//!   rules;
//! - each Gram check and each structural error on a bundle broken on purpose.

use ndarray::Array2;
use sgn_lab::data::bundle::{read_bundle, BundleError};
use sgn_lab::data::npy::{check_npy, read_npy, NpyView};
use sgn_lab::data::npz::{npz_directory, read_npz, NpzError};
use sgn_lab::experiment::analyze::bundle::{analyze_bundle, BundleAnalysis};
use sgn_lab::experiment::analyze::{analyze_source, AnalyzeOptions, DumpAnalysis, RowKind};
use sgn_lab::experiment::Rule;
use sgn_lab::spectrum::given::{check_gram, GramError};
use std::io::Write;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bundle");

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn plain(name: &str, rows: RowKind, o: &AnalyzeOptions) -> DumpAnalysis {
    let b = bytes(name);
    let h = check_npy(&b, usize::MAX).unwrap();
    let v = NpyView::new(&b, &h).unwrap();
    analyze_source(&v, &AnalyzeOptions { rows, ..o.clone() }, &mut |_| true).unwrap()
}

fn bundle_analysis(name: &str, o: &AnalyzeOptions) -> BundleAnalysis {
    let b = bytes(name);
    let bundle = read_bundle(&b, 1 << 30).unwrap();
    analyze_bundle(&bundle, o, &mut |_| true).unwrap()
}

/// The bundle's verdicts equal the plain inputs' (rates exactly, example reports field by field).
fn verdicts_match(model: &str, o: &AnalyzeOptions) {
    let a = bundle_analysis(&format!("{model}.npz"), o);
    let dim_g = plain(&format!("{model}-dim_g.npy"), RowKind::Samples, o);
    let dim_s = plain(&format!("{model}-dim_sgn.npy"), RowKind::Samples, o);
    let it_s = plain(&format!("{model}-iter_sgn.npy"), RowKind::Samples, o);
    assert_eq!(
        a.table_a.dimension_g.as_ref(),
        Some(&dim_g.dimension_wise),
        "{model} {o:?}"
    );
    assert_eq!(
        a.table_a.dimension_sgn.as_ref(),
        Some(&dim_s.dimension_wise),
        "{model} {o:?}"
    );
    assert_eq!(
        a.table_a.iteration_sgn.as_ref(),
        Some(&it_s.column_wise),
        "{model} {o:?}"
    );
    let dim = a.dim.as_ref().unwrap();
    // Draw 1 is the example; the plain file's example row is row 0 whenever row 0 is testable.
    assert_eq!(dim.example_g.power_law, dim_g.example_row, "{model}");
    assert_eq!(
        dim.example_sgn.as_ref().unwrap().power_law,
        dim_s.example_row,
        "{model}"
    );
    let it = a.iter.as_ref().unwrap();
    assert_eq!(
        it.example_sgn.as_ref().and_then(|s| s.power_law.clone()),
        it_s.example_column
    );
    if std::path::Path::new(&format!("{DIR}/{model}-iter_g.npy")).exists() {
        let it_g = plain(&format!("{model}-iter_g.npy"), RowKind::Iterations, o);
        assert_eq!(a.table_a.iteration_g.as_ref(), Some(&it_g.column_wise), "{model} {o:?}");
        assert_eq!(
            it.example_g.as_ref().and_then(|s| s.power_law.clone()),
            it_g.example_column
        );
    } else {
        assert!(a.table_a.iteration_g.is_none() && it.example_g.is_none());
    }
    // The dimension-wise examples carry Gaussianity (whole sample kept: every test) and a CCDF.
    let n = dim.example_sgn.as_ref().unwrap().normality.as_ref().unwrap();
    assert!(!n.streamed && n.anderson_darling.is_some() && n.n == dim.p);
}

#[test]
fn verdicts_on_the_bundle_equal_those_on_the_plain_inputs() {
    for model in ["tiny-jax", "tiny-torch"] {
        for k in [None, Some(80), Some(40), Some(12)] {
            verdicts_match(
                model,
                &AnalyzeOptions {
                    k,
                    ..AnalyzeOptions::default()
                },
            );
        }
        verdicts_match(
            model,
            &AnalyzeOptions {
                rule: Rule::Clauset,
                ..AnalyzeOptions::default()
            },
        );
    }
    // K = 80 makes some samples of every kind power-law and others not: the equality above is
    // not vacuous.
    let a = bundle_analysis(
        "tiny-jax.npz",
        &AnalyzeOptions {
            k: Some(80),
            ..AnalyzeOptions::default()
        },
    );
    let t = a.table_a;
    for r in [t.dimension_g, t.dimension_sgn, t.iteration_g, t.iteration_sgn] {
        let r = r.unwrap();
        assert!(r.power_law > 0 && r.power_law < r.tested, "{r:?}");
    }
}

#[test]
fn gram_spectrum_equals_numpy_and_the_explicit_route() {
    for model in ["tiny-jax", "tiny-torch"] {
        let a = bundle_analysis(&format!("{model}.npz"), &AnalyzeOptions::default());
        let g = a.gram.as_ref().unwrap();
        let s = g.spectrum.as_ref().unwrap();
        let expected: serde_json::Value = serde_json::from_slice(&bytes(&format!("{model}-expected.json"))).unwrap();
        let lam: Vec<f64> = serde_json::from_value(expected["eigenvalues"].clone()).unwrap();
        let rank = expected["rank"].as_u64().unwrap() as usize;
        assert_eq!(s.rank, rank);
        let scale = lam[0];
        for (i, (x, y)) in s.eigenvalues.iter().zip(&lam).enumerate().take(rank) {
            assert!((x - y).abs() <= 1e-10 * scale, "{model} λ{i}: {x} vs numpy {y}");
        }
        // The lab's own dense route on the explicit N × P matrix.
        let explicit = plain(&format!("{model}-G.npy"), RowKind::Samples, &AnalyzeOptions::default());
        let e = explicit.spectrum.unwrap();
        assert_eq!((e.n, e.d, e.rank), (s.n, s.d, s.rank));
        for (x, y) in s.eigenvalues.iter().zip(&e.eigenvalues) {
            assert!((x - y).abs() <= 1e-10 * scale, "{model}: {x} vs {y}");
        }
        assert_eq!(s.fit.power_law, e.fit.power_law);
        assert!((s.fit.beta - e.fit.beta).abs() < 1e-8 * e.fit.beta);
        // The checks measured round-off only: the recipe symmetrises, and K is PSD.
        assert!(
            g.check.asymmetry == 0.0 && g.check.lambda_min_relative > -1e-12,
            "{:?}",
            g.check
        );
        assert_eq!(g.p, a.header.p as usize);
    }
}

#[test]
fn stored_and_deflated_bundles_are_the_same() {
    let s = bytes("tiny-jax.npz");
    let d = bytes("tiny-jax-deflated.npz");
    let (ms, md) = (read_npz(&s, 1 << 30).unwrap(), read_npz(&d, 1 << 30).unwrap());
    assert!(ms.iter().all(|m| !m.deflated) && md.iter().all(|m| m.deflated));
    // Stored members are borrowed from the archive, deflated ones inflated.
    assert!(ms.iter().all(|m| matches!(m.bytes, std::borrow::Cow::Borrowed(_))));
    for m in &ms {
        let other = md.iter().find(|o| o.key == m.key).unwrap();
        assert_eq!(m.bytes, other.bytes, "{}", m.key);
    }
    let dir = npz_directory(&d).unwrap();
    assert_eq!(dir.len(), ms.len());
    assert_eq!(
        bundle_analysis("tiny-jax.npz", &AnalyzeOptions::default()),
        bundle_analysis("tiny-jax-deflated.npz", &AnalyzeOptions::default())
    );
    // A deflated member above the limit is refused from the directory, before inflating.
    let gram = dir.iter().find(|e| e.key == "gram").unwrap().size;
    assert!(matches!(read_npz(&d, gram - 1), Err(NpzError::TooLarge { .. })));
}

/// A zip of `.npy` members (stored), written with the `zip` crate.
fn zip_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in members {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn u8_npy(text: &str) -> Vec<u8> {
    let mut header = format!(
        "{{'descr': '|u1', 'fortran_order': False, 'shape': ({},), }}",
        text.len()
    );
    header.push_str(&" ".repeat((64 - (11 + header.len()) % 64) % 64));
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(text.as_bytes());
    out
}

fn f64_npy(rows: usize, cols: usize, f: impl Fn(usize, usize) -> f64) -> Vec<u8> {
    let data: Vec<f64> = (0..rows * cols).map(|i| f(i / cols, i % cols)).collect();
    sgn_lab::data::npy::write_npy_f64(rows, cols, &data)
}

const HEADER: &str = r#"{"format": "sgn-lab-bundle", "version": 1, "framework": "test", "p": 5}"#;

#[test]
fn broken_bundles_are_typed_errors() {
    let g = || f64_npy(3, 5, |i, j| ((i * 5 + j) as f64).sin());
    let err = |members: &[(&str, Vec<u8>)]| read_bundle(&zip_of(members), 1 << 20).unwrap_err();
    assert_eq!(err(&[("dim_g.npy", g())]), BundleError::NoHeader);
    assert!(matches!(
        err(&[("header.npy", u8_npy(HEADER)), ("dim_G.npy", g())]),
        BundleError::UnknownMember(k) if k == "dim_G"
    ));
    assert_eq!(err(&[("header.npy", u8_npy(HEADER))]), BundleError::Empty);
    let e = err(&[
        ("header.npy", u8_npy(&HEADER.replace("\"p\": 5", "\"p\": 6"))),
        ("dim_g.npy", g()),
    ]);
    assert!(
        e.to_string().contains("dim_g has 5 columns but the header says p = 6"),
        "{e}"
    );
    let e = err(&[
        ("header.npy", u8_npy(HEADER)),
        ("dim_g.npy", g()),
        ("dim_full.npy", f64_npy(4, 1, |_, _| 1.0)),
    ]);
    assert!(e.to_string().contains("dim_full has shape [4, 1]"), "{e}");
    let e = err(&[("header.npy", u8_npy(HEADER)), ("iter_draws.npy", g())]);
    assert!(e.to_string().contains("iter_draws and iter_full go together"), "{e}");
    let e = err(&[
        ("header.npy", u8_npy(HEADER)),
        ("gram.npy", f64_npy(3, 3, |i, j| (i == j) as u8 as f64)),
    ]);
    assert!(e.to_string().contains("needs a header 'gram' section"), "{e}");
    let e = err(&[(
        "header.npy",
        u8_npy(&HEADER.replace("\"p\"", "\"centered\": true, \"p\"")),
    )]);
    assert!(
        matches!(&e, BundleError::Header(m) if m.contains("unknown field `centered`")),
        "{e}"
    );
    let e = err(&[
        (
            "header.npy",
            u8_npy(&HEADER.replace("\"version\": 1", "\"version\": 2")),
        ),
        ("dim_g.npy", g()),
    ]);
    assert!(e.to_string().contains("version 2"), "{e}");
    let e = err(&[("header.npy", u8_npy(HEADER)), ("notes.txt", b"hello".to_vec())]);
    assert!(matches!(e, BundleError::Npz(NpzError::Member { .. })), "{e}");
    let e = err(&[("header.npy", f64_npy(2, 2, |_, _| 0.0)), ("dim_g.npy", g())]);
    assert!(matches!(e, BundleError::Npy { member: "header", .. }), "{e}");
    assert!(matches!(
        read_bundle(b"PK\x03\x04 not really", 1 << 20),
        Err(BundleError::Npz(NpzError::NotZip(_)))
    ));

    // A flipped data byte in a stored member: its CRC-32 no longer matches.
    let mut z = zip_of(&[("header.npy", u8_npy(HEADER)), ("dim_g.npy", g())]);
    let at = z.len() - 200;
    z[at] ^= 0x40;
    let e = read_bundle(&z, 1 << 20).unwrap_err();
    assert!(e.to_string().contains("CRC-32 mismatch"), "{e}");
    // A compression method other than stored/deflated (12 = bzip2), in both headers.
    let mut z = zip_of(&[("header.npy", u8_npy(HEADER)), ("dim_g.npy", g())]);
    for sig in [&b"PK\x03\x04"[..], &b"PK\x01\x02"[..]] {
        let off = if sig[2] == 3 { 8 } else { 10 };
        let mut i = 0;
        while let Some(p) = z[i..].windows(4).position(|w| w == sig) {
            z[i + p + off] = 12;
            i += p + 4;
        }
    }
    let e = read_bundle(&z, 1 << 20).unwrap_err();
    assert!(
        e.to_string().contains("only stored") || e.to_string().contains("not a zip"),
        "{e}"
    );
}

fn gram_err(k: Array2<f64>, trace: Option<f64>) -> GramError {
    check_gram(k.view(), trace).unwrap_err()
}

#[test]
fn each_gram_check_names_its_failure() {
    // K = G Gᵀ of 4 gradients in 3 dimensions: PSD, rank 3.
    let g = Array2::from_shape_fn((4, 3), |(i, j)| ((1 + i * 3 + j) as f64).cos());
    let k = g.dot(&g.t());
    let (s, c) = check_gram(k.view(), Some(k.diag().sum())).unwrap();
    assert_eq!(s.nrows(), 4);
    assert!(c.lambda_min_relative.abs() < 1e-14 && c.asymmetry == 0.0, "{c:?}");
    assert_eq!(
        gram_err(Array2::zeros((2, 3)), None),
        GramError::NotSquare { rows: 2, cols: 3 }
    );
    assert_eq!(gram_err(Array2::ones((1, 1)), None), GramError::TooSmall(1));
    let mut bad = k.clone();
    bad[[2, 1]] = f64::NAN;
    // The first non-finite entry in row-major order.
    assert_eq!(gram_err(bad, None), GramError::NonFinite { row: 2, col: 1 });
    let mut bad = k.clone();
    bad[[3, 3]] = -1e-3;
    assert!(matches!(
        gram_err(bad, None),
        GramError::NegativeDiagonal { index: 3, .. }
    ));
    assert_eq!(gram_err(Array2::zeros((3, 3)), None), GramError::Zero);
    // Asymmetry just above and just below the tolerance (1e-6 · max K_ii).
    let max_diag = k.diag().iter().cloned().fold(0.0, f64::max);
    let mut bad = k.clone();
    bad[[0, 2]] += 2e-6 * max_diag;
    assert!(matches!(
        gram_err(bad, None),
        GramError::NotSymmetric { row: 2, col: 0, .. }
    ));
    let mut ok = k.clone();
    ok[[0, 2]] += 0.5e-6 * max_diag;
    assert!(check_gram(ok.view(), None).is_ok());
    // Not PSD: eigenvalues 3 and −1.
    let indefinite = Array2::from_shape_vec((2, 2), vec![1.0, 2.0, 2.0, 1.0]).unwrap();
    let e = gram_err(indefinite, None);
    assert!(
        matches!(e, GramError::NotPsd { lambda_min, .. } if (lambda_min + 1.0).abs() < 1e-12),
        "{e}"
    );
    assert!(e.to_string().contains("not positive semi-definite"));
    // The declared trace must match.
    assert!(matches!(
        gram_err(k.clone(), Some(k.diag().sum() * 1.01)),
        GramError::TraceMismatch { .. }
    ));
}

#[test]
fn a_bundle_gram_that_fails_a_check_is_refused_with_its_reason() {
    let header = r#"{"format": "sgn-lab-bundle", "version": 1, "framework": "test", "p": 7,
        "gram": {"n": 2, "p": 7, "trace": 2.0, "centred": false}}"#;
    let z = zip_of(&[
        ("header.npy", u8_npy(header)),
        ("gram.npy", f64_npy(2, 2, |i, j| if i == j { 1.0 } else { 2.0 })),
    ]);
    let b = read_bundle(&z, 1 << 20).unwrap();
    let e = analyze_bundle(&b, &AnalyzeOptions::default(), &mut |_| true).unwrap_err();
    assert!(e.to_string().contains("not positive semi-definite"), "{e}");
    // The same matrix read back from the member equals what was written.
    let m = read_npy(&f64_npy(2, 2, |i, j| if i == j { 1.0 } else { 2.0 })).unwrap();
    assert_eq!(m, ndarray::array![[1.0, 2.0], [2.0, 1.0]]);
}
