//! The gradient bundle reader (`data::npz`, `data::bundle`) and its analysis
//! (`experiment::analyze::bundle`), as the page and `sgn-lab analyze X.npz` run them.
//!
//! Two modes (first byte): the raw bytes as an archive, or an archive the harness builds from
//! the input — up to 8 members whose names come from the bundle's keys (plus a few wrong ones),
//! each stored or deflated, holding a header JSON (a valid template with fuzzed values, or
//! fuzzed text), a small float `.npy` of fuzzed shape and values (f32 or f64, sometimes
//! truncated or with a wrong dtype), or a fuzzed Gram matrix (symmetric PSD G Gᵀ, perturbed or
//! not) — so the fuzzer spends its time in the bundle's own checks rather than in rediscovering
//! the zip format.
//!
//! Checks: errors are typed with a message; a read bundle's parts have the shapes the header
//! and each other promise; stored members are borrowed, deflated ones at most the limit; the
//! analysis either succeeds — rates are probabilities with tested + skipped = samples, example
//! reports and Gaussianity satisfy their invariants, a Gram part passed its checks within the
//! stated tolerances and its spectrum is valid — or fails with a message; it serialises.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sgn_lab::data::bundle::{read_bundle, MEMBERS};
use sgn_lab::data::npz::read_npz;
use sgn_lab::experiment::analyze::bundle::analyze_bundle;
use sgn_lab::experiment::analyze::AnalyzeOptions;
use sgn_lab::experiment::Rule;
use sgn_lab::spectrum::given::PSD_TOL;
use sgn_lab_fuzz::{check_gaussianity, check_power_law, check_rate, check_spectrum_report, Cursor};
use std::io::Write;

const LIMIT: u64 = 1 << 16;

fn npy(c: &mut Cursor<'_>, rows: usize, cols: usize, one_d: bool) -> Vec<u8> {
    let f32 = c.bool();
    let shape = if one_d {
        format!("({},)", rows * cols)
    } else {
        format!("({rows}, {cols})")
    };
    let descr = match c.u8() % 16 {
        0 => "<i8",
        1 => ">f8",
        _ if f32 => "<f4",
        _ => "<f8",
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    header.push_str(&" ".repeat((64 - (11 + header.len()) % 64) % 64));
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for _ in 0..rows * cols {
        let v = c.f64();
        if f32 {
            out.extend_from_slice(&(v as f32).to_le_bytes());
        } else {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    if c.u8() % 32 == 0 {
        out.truncate(out.len().saturating_sub(1 + c.u8() as usize));
    }
    out
}

fn gram(c: &mut Cursor<'_>, n: usize, p: usize) -> (Vec<u8>, f64) {
    let g: Vec<f64> = (0..n * p).map(|_| (c.u8() as f64 - 128.0) / 16.0).collect();
    let mut k = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            k[i * n + j] = (0..p).map(|t| g[i * p + t] * g[j * p + t]).sum();
        }
    }
    let trace: f64 = (0..n).map(|i| k[i * n + i]).sum();
    match c.u8() % 8 {
        0 => k[c.range(0, n * n - 1)] += c.f64(),
        1 if n > 1 => k[1] -= 1e-3 * trace.max(1.0),
        _ => {}
    }
    (sgn_lab::data::npy::write_npy_f64(n, n, &k), trace)
}

fn build(c: &mut Cursor<'_>) -> Vec<u8> {
    let (d, p, m, t) = (c.range(1, 3), c.range(1, 40), c.range(1, 6), c.range(1, 40));
    let n = c.range(1, 6);
    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    let count = c.range(1, 8);
    let mut trace = 0.0;
    for _ in 0..count {
        let pick = c.u8() as usize % (MEMBERS.len() + 2);
        let name = match pick {
            i if i < MEMBERS.len() => MEMBERS[i].to_string(),
            i if i == MEMBERS.len() => "dim_G".to_string(),
            _ => "../evil".to_string(),
        };
        let data = match name.as_str() {
            "header" => {
                if c.bool() {
                    c.bytes::<24>().to_vec()
                } else {
                    let gram = if c.bool() {
                        format!(
                            r#", "gram": {{"n": {}, "p": {p}, "trace": {trace}, "centred": {}}}"#,
                            if c.bool() { n } else { n + 1 },
                            c.bool()
                        )
                    } else {
                        String::new()
                    };
                    format!(
                        r#"{{"format": "sgn-lab-bundle", "version": {}, "framework": "fuzz", "p": {}, "iter": {{"coordinates": [{}]}}{gram}}}"#,
                        if c.u8() % 8 == 0 { 2 } else { 1 },
                        if c.u8() % 8 == 0 { p + 1 } else { p },
                        (0..if c.bool() { m } else { 0 }).map(|i| (i * 7 % p.max(1)).to_string()).collect::<Vec<_>>().join(", ")
                    )
                    .into_bytes()
                }
            }
            "dim_g" => npy(c, d, p, false),
            "dim_full" => {
                let one_d = c.bool();
                npy(c, 1, p, one_d)
            }
            "iter_g" => npy(c, t, m, false),
            "iter_draws" => npy(c, t, m, false),
            "iter_full" => {
                let one_d = c.bool();
                npy(c, 1, m, one_d)
            }
            "gram" => {
                let rank = c.range(1, 5);
                let (b, tr) = gram(c, n, rank);
                trace = tr;
                b
            }
            _ => npy(c, 2, 2, false),
        };
        let data = if name == "header" { wrap_u8(&data) } else { data };
        members.push((format!("{name}.npy"), data));
    }
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in &members {
        let method = if c.bool() {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        if w.start_file(name.as_str(), opts).is_err() || w.write_all(data).is_err() {
            return Vec::new();
        }
    }
    w.finish().map(|c| c.into_inner()).unwrap_or_default()
}

fn wrap_u8(text: &[u8]) -> Vec<u8> {
    let mut header = format!(
        "{{'descr': '|u1', 'fortran_order': False, 'shape': ({},), }}",
        text.len()
    );
    header.push_str(&" ".repeat((64 - (11 + header.len()) % 64) % 64));
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(text);
    out
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 16384 || data.is_empty() {
        return;
    }
    let mut c = Cursor::new(&data[1..]);
    let o = AnalyzeOptions {
        rule: if c.bool() { Rule::Paper } else { Rule::Clauset },
        k: if c.bool() { None } else { Some(c.range(2, 60)) },
        max_samples: c.range(1, 8),
        ..AnalyzeOptions::default()
    };
    let bytes = if data[0] & 1 == 0 {
        c.rest().to_vec()
    } else {
        build(&mut c)
    };
    if let Ok(members) = read_npz(&bytes, LIMIT) {
        for m in &members {
            assert!(!m.key.is_empty());
            if m.deflated {
                assert!(m.bytes.len() as u64 <= LIMIT);
            } else {
                assert!(matches!(m.bytes, std::borrow::Cow::Borrowed(_)));
            }
        }
    }
    let b = match read_bundle(&bytes, LIMIT) {
        Ok(b) => b,
        Err(e) => return assert!(!e.to_string().is_empty()),
    };
    let h = &b.header;
    if let Some(g) = &b.dim_g {
        assert_eq!(g.header.cols as u64, h.p);
    }
    assert!(b.dim_g.is_some() || b.iter_g.is_some() || b.iter_draws.is_some() || b.gram.is_some());
    assert_eq!(b.iter_draws.is_some(), b.iter_full.is_some());
    assert_eq!(b.gram.is_some(), h.gram.is_some());
    let total: usize = [&b.dim_g, &b.iter_g, &b.iter_draws, &b.gram]
        .iter()
        .filter_map(|a| a.as_ref())
        .map(|a| a.header.values())
        .sum();
    if total > 4096 {
        return;
    }
    match analyze_bundle(&b, &o, &mut |_| true) {
        Ok(a) => {
            if let (Some(d), Some(g)) = (&a.dim, &b.dim_g) {
                check_rate(&d.g, g.header.rows.min(o.max_samples));
                if let Some(r) = &d.example_g.power_law {
                    check_power_law(r, g.header.cols);
                }
                if let Some(n) = &d.example_g.normality {
                    check_gaussianity(n, g.header.cols);
                }
                assert!(d
                    .example_g
                    .ccdf
                    .windows(2)
                    .all(|w| w[0][0] < w[1][0] && w[0][1] >= w[1][1]));
            }
            if let Some(it) = &a.iter {
                for r in [&it.g, &it.sgn].into_iter().flatten() {
                    check_rate(r, it.m.min(o.max_samples));
                }
            }
            if let Some(g) = &a.gram {
                assert!(g.check.lambda_min_relative >= -PSD_TOL && g.check.asymmetry <= 1e-6);
                match (&g.spectrum, &g.spectrum_error) {
                    (Some(s), None) => check_spectrum_report(s),
                    (None, Some(e)) => assert!(!e.is_empty()),
                    _ => panic!("a spectrum or its error, not both or neither"),
                }
            }
            serde_json::to_string(&a).expect("analysis serialises");
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
