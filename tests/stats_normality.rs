//! Gaussianity tests against scipy / statsmodels fixtures (`tests/fixtures/stats_normality.json`,
//! made by `tests/fixtures/make_stats_fixtures.py`): statistics to 1e-6 relative, p-values to
//! 1e-3 absolute (tolerances stored in the fixture).

use serde_json::Value;
use sgn_lab::stats::normality::{
    anderson_darling, dagostino_pearson, jarque_bera, lilliefors, moments, normality, shapiro_wilk,
};

fn fixture() -> Value {
    let s = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/stats_normality.json"
    ))
    .unwrap();
    serde_json::from_str(&s).unwrap()
}

#[track_caller]
fn close(a: f64, b: f64, rel: f64, what: &str) {
    let r = (a - b).abs() / b.abs().max(1e-12);
    assert!(r <= rel, "{what}: {a} vs {b} (rel {r:e})");
}

#[track_caller]
fn close_p(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: p {a} vs {b}");
}

#[test]
fn all_tests_match_scipy_and_statsmodels() {
    let fx = fixture();
    let rel = fx["tolerances"]["rel"].as_f64().unwrap();
    let pt = fx["tolerances"]["p_abs"].as_f64().unwrap();
    for c in fx["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let x: Vec<f64> = c["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let g = |k: &str, f: &str| c[k][f].as_f64().unwrap();
        let m = moments(&x).unwrap();
        close(m.mean, c["mean"].as_f64().unwrap(), rel, &format!("{name} mean"));
        close(m.std, c["std"].as_f64().unwrap(), rel, &format!("{name} std"));
        close(
            m.skewness,
            c["skewness"].as_f64().unwrap(),
            rel,
            &format!("{name} skew"),
        );
        close(
            m.excess_kurtosis,
            c["excess_kurtosis"].as_f64().unwrap(),
            rel,
            &format!("{name} kurt"),
        );
        let sw = shapiro_wilk(&x).unwrap();
        close(sw.w, g("shapiro_wilk", "w"), rel, &format!("{name} W"));
        close_p(sw.p, g("shapiro_wilk", "p"), pt, &format!("{name} SW"));
        if c.get("dagostino_pearson").is_some() {
            let k = dagostino_pearson(&x).unwrap();
            close(k.k2, g("dagostino_pearson", "k2"), rel, &format!("{name} K2"));
            close_p(k.p, g("dagostino_pearson", "p"), pt, &format!("{name} K2"));
        }
        let jb = jarque_bera(&x).unwrap();
        close(jb.jb, g("jarque_bera", "jb"), rel, &format!("{name} JB"));
        close_p(jb.p, g("jarque_bera", "p"), pt, &format!("{name} JB"));
        let ad = anderson_darling(&x).unwrap();
        close(ad.a2, g("anderson_darling", "a2"), rel, &format!("{name} A2"));
        close_p(ad.p, g("anderson_darling", "p"), pt, &format!("{name} AD"));
        if c.get("lilliefors").is_some() {
            let l = lilliefors(&x).unwrap();
            close(l.d, g("lilliefors", "d"), rel, &format!("{name} D"));
            close_p(l.p, g("lilliefors", "p"), pt, &format!("{name} Lilliefors"));
        }
        if x.len() >= 8 {
            let r = normality(&x).unwrap();
            assert_eq!(r.n, x.len());
            assert_eq!(r.shapiro_wilk.is_some(), x.len() <= 5000);
        }
    }
}

#[test]
fn shapiro_wilk_range_and_errors() {
    assert!(shapiro_wilk(&[1.0, 2.0]).is_err());
    let big: Vec<f64> = (0..5001).map(|i| (i as f64 * 0.37).sin()).collect();
    assert!(shapiro_wilk(&big).is_err());
    assert!(normality(&big).unwrap().shapiro_wilk.is_none());
    assert!(normality(&[f64::NAN; 20]).is_err());
}
