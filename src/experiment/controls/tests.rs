//! Tests of the controls table: every option round-trips, and every menu reports the default and
//! the range its check enforces.

use super::*;
use crate::params::OutOfRange;

#[test]
fn every_option_round_trips_and_the_defaults_show_an_option() {
    let base = ExperimentConfig::lab_default();
    for c in CONTROLS {
        assert!(
            matches!(c.value(&base), Shown::Option(_)),
            "{}: {:?}",
            c.key,
            c.value(&base)
        );
        for (v, _) in c.options {
            let applied = c.apply(&base, v).unwrap();
            assert_eq!(c.value(&applied), Shown::Option(v.to_string()), "{} = {v}", c.key);
            applied
                .check_ranges()
                .unwrap_or_else(|e| panic!("{} = {v}: {e}", c.key));
        }
        assert!(c.apply(&base, "no such option").is_none());
    }
    let lenet = find("model").unwrap().apply(&base, "lenet").unwrap();
    assert_eq!(find("width").unwrap().value(&lenet), Shown::NotApplicable);
    let clauset = find("tail-rule").unwrap().apply(&base, "clauset").unwrap();
    assert_eq!(clauset.analysis.bootstrap, CLAUSET_BOOTSTRAP);
}

/// Every control's default is the configuration's, and its range is the one the checks
/// enforce: each edge of a numeric control passes the check and the value just outside is
/// refused naming the same key, every option lies inside, so the menus cannot drift from
/// the checks again.
#[test]
fn every_control_reports_the_default_and_range_its_check_enforces() {
    use crate::experiment::ExperimentError;
    use crate::train::ConfigError;
    let mut base = find("data")
        .unwrap()
        .apply(&ExperimentConfig::lab_default(), "mixture")
        .unwrap();
    base.data.n_train = Some(600);
    let (train, _) = base.prepare_data(None).unwrap();
    let n = train.n();
    assert_eq!(n, 600);
    let at = |c: &Control, v: String| {
        let mut cfg = base.clone();
        (c.set)(&mut cfg, &v);
        cfg
    };
    let ok = |cfg: &ExperimentConfig| cfg.check_training(&train).map(|_| ());
    let refused = |cfg: &ExperimentConfig, key: &str| match ok(cfg) {
        Err(ExperimentError::OutOfRange(OutOfRange { field, .. }))
        | Err(ExperimentError::Train(ConfigError::OutOfRange(OutOfRange { field, .. })))
        | Err(ExperimentError::AboveLimit { field, .. }) => field.ends_with(key),
        _ => false,
    };
    let lab = ExperimentConfig::lab_default();
    for c in CONTROLS {
        let spec = c.spec();
        assert_eq!(spec.default, c.value(&lab), "{}", c.key);
        assert_eq!(spec.allowed, c.allowed.text(), "{}", c.key);
        if c.key != "replicates" {
            // The page starts from the protocol's defaults for every menu but the tour's.
            assert_eq!(spec.default, c.value(&ExperimentConfig::default()), "{}", c.key);
        }
        for (v, _) in c.options {
            let cfg = at(c, v.to_string());
            cfg.check_ranges().unwrap_or_else(|e| panic!("{} = {v}: {e}", c.key));
            // (A choice among kinds may not fit this data set: LeNet-5 needs MNIST.)
            if c.when == When::Training && c.allowed != Allowed::Options {
                ok(&cfg).unwrap_or_else(|e| panic!("{} = {v}: {e}", c.key));
            }
        }
        match &c.allowed {
            Allowed::Options => {}
            Allowed::Count(key, r) => {
                for v in [*r.start(), *r.end()] {
                    assert_eq!(ok(&at(c, v.to_string())), Ok(()), "{} = {v}", c.key);
                }
                if *r.start() > 0 {
                    let v = r.start() - 1;
                    assert!(refused(&at(c, v.to_string()), key), "{} = {v}", c.key);
                }
                let v = r.end() + 1;
                assert!(refused(&at(c, v.to_string()), key), "{} = {v}", c.key);
            }
            Allowed::Real(key, i) => {
                for (edge, open, outside) in [
                    (i.lo, i.lo_open, i.lo - 1e-6 * i.hi),
                    (i.hi, i.hi_open, i.hi * (1.0 + 1e-6)),
                ] {
                    let cfg = at(c, edge.to_string());
                    if open {
                        assert!(refused(&cfg, key), "{} = {edge}", c.key);
                    } else {
                        assert_eq!(ok(&cfg), Ok(()), "{} = {edge}", c.key);
                    }
                    assert!(refused(&at(c, outside.to_string()), key), "{} = {outside}", c.key);
                }
            }
            Allowed::Level => {
                for l in Level::ALL {
                    assert_eq!(ok(&at(c, l.alpha().to_string())), Ok(()), "{}", c.key);
                }
                assert!(refused(&at(c, "0.2".into()), "analysis.level"), "{}", c.key);
            }
            Allowed::UpToN(key) => {
                assert_eq!(ok(&at(c, n.to_string())), Ok(()), "{} = N", c.key);
                assert!(refused(&at(c, "0".into()), key), "{} = 0", c.key);
                assert!(refused(&at(c, (n + 1).to_string()), key), "{} = N + 1", c.key);
            }
            Allowed::CappedAtN => {
                let capped = at(c, (n + 1000).to_string()).check_training(&train).unwrap();
                assert_eq!(capped.config.analysis.n_cov, n, "{}", c.key);
            }
        }
    }
}
