//! Eigenvalues of the centred sample covariance against numpy (fixtures written by
//! `tests/fixtures/make_spectrum_fixtures.py`), through the text and the `.npy` readers; and
//! the `.npy` reader's typed errors.

use sgn_lab::data::npy::{read_npy, NpyError};
use sgn_lab::data::text::parse_matrix;
use sgn_lab::spectrum::spectrum_of_matrix;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/spectrum");

fn expected(name: &str) -> (usize, usize, Vec<f64>) {
    let text = std::fs::read_to_string(format!("{DIR}/eigenvalues.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let c = &v[name];
    let eig = c["eigenvalues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    (
        c["n"].as_u64().unwrap() as usize,
        c["d"].as_u64().unwrap() as usize,
        eig,
    )
}

fn check(name: &str, m: &ndarray::Array2<f64>) {
    let (n, d, want) = expected(name);
    assert_eq!(m.dim(), (n, d), "{name}: shape");
    let s = spectrum_of_matrix(m.view()).unwrap();
    assert_eq!(s.eigenvalues.len(), n.min(d));
    let scale = want[0];
    for (k, (got, w)) in s.eigenvalues.iter().zip(&want).enumerate() {
        assert!(
            (got - w).abs() <= 1e-10 * scale,
            "{name}: λ_{} = {got} vs numpy {w}",
            k + 1
        );
    }
    // Rank: numpy's eigenvalues above the same relative tolerance.
    let tol = sgn_lab::spectrum::eigen::zero_tolerance(scale, n, d);
    assert_eq!(s.rank, want.iter().filter(|v| **v > tol).count(), "{name}: rank");
}

#[test]
fn text_fixtures_match_numpy() {
    for name in ["tall", "wide", "powerlaw"] {
        let text = std::fs::read_to_string(format!("{DIR}/{name}.txt")).unwrap();
        check(name, &parse_matrix(&text).unwrap());
    }
}

#[test]
fn npy_fixtures_match_numpy() {
    for (name, file) in [
        ("tall", "tall"),
        ("wide", "wide"),
        ("powerlaw", "powerlaw"),
        ("tall_f32", "tall_f32"),
        ("vector", "vector"),
    ] {
        let bytes = std::fs::read(format!("{DIR}/{file}.npy")).unwrap();
        check(name, &read_npy(&bytes).unwrap());
    }
}

#[test]
fn wide_fixture_has_rank_n_minus_one() {
    let text = std::fs::read_to_string(format!("{DIR}/wide.txt")).unwrap();
    let s = spectrum_of_matrix(parse_matrix(&text).unwrap().view()).unwrap();
    assert_eq!(s.rank, s.n - 1); // centring removes one direction
    assert_eq!(*s.eigenvalues.last().unwrap(), 0.0);
}

#[test]
fn npy_unsupported_variants_are_typed_errors() {
    let read = |f: &str| read_npy(&std::fs::read(format!("{DIR}/{f}.npy")).unwrap());
    assert_eq!(read("bad_fortran"), Err(NpyError::FortranOrder));
    assert_eq!(read("bad_bigendian"), Err(NpyError::UnsupportedDtype(">f8".into())));
    assert_eq!(read("bad_int"), Err(NpyError::UnsupportedDtype("<i8".into())));
    assert_eq!(read("bad_3d"), Err(NpyError::UnsupportedShape(vec![2, 2, 2])));
}

#[test]
fn npy_truncated_garbage_and_trailing_bytes() {
    let good = std::fs::read(format!("{DIR}/tall.npy")).unwrap();
    assert!(matches!(
        read_npy(&good[..good.len() - 3]),
        Err(NpyError::Truncated { .. })
    ));
    for cut in [0, 3, 7, 9, 11, 40] {
        assert!(read_npy(&good[..cut]).is_err(), "cut at {cut}");
    }
    let mut longer = good.clone();
    longer.extend_from_slice(&[0; 8]);
    assert_eq!(read_npy(&longer), Err(NpyError::TrailingBytes(8)));
    assert_eq!(read_npy(b"hello world"), Err(NpyError::BadMagic));
    // Header garbage: corrupt the dictionary, the version, and the header length.
    let mut g = good.clone();
    g[10] = b'[';
    assert!(matches!(read_npy(&g), Err(NpyError::BadHeader(_))));
    let mut g = good.clone();
    g[6] = 9;
    assert_eq!(read_npy(&g), Err(NpyError::UnsupportedVersion(9, 0)));
    let mut g = good.clone();
    g[8] = 0xff;
    g[9] = 0xff;
    assert!(read_npy(&g).is_err());
    // Every prefix and a sweep of single-byte corruptions: errors or values, never a panic.
    for cut in 0..good.len().min(200) {
        let _ = read_npy(&good[..cut]);
    }
    for pos in 0..128 {
        for b in [0u8, b'(', b')', b'9', b'\'', 0xff] {
            let mut g = good.clone();
            g[pos] = b;
            let _ = read_npy(&g);
        }
    }
    // A huge declared shape is refused, not allocated.
    let h = "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999, 99999999999), }";
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend_from_slice(&(h.len() as u16).to_le_bytes());
    b.extend_from_slice(h.as_bytes());
    assert!(read_npy(&b).is_err());
}

#[test]
fn npy_refuses_nan() {
    let mut data = vec![1.0, 2.0, 3.0, 4.0];
    data[3] = f64::NAN;
    let b = sgn_lab::data::npy::write_npy_f64(2, 2, &data);
    assert_eq!(read_npy(&b), Err(NpyError::NonFinite { row: 2, col: 2 }));
}
