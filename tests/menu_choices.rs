//! Every menu choice works (issue 19). The page's menus are the engine's control table
//! (`experiment::controls::CONTROLS`), so every choice is made here exactly as the page makes it
//! ([`with_choices`]), and [`settle`] runs the engine's own decision of what the page then does:
//! build the session with [`ExperimentConfig::check_training`] (Play) and check the measurement
//! (`view::session::measure_check_of`, what `Lab.check_measure` answers: Measure), lowering a
//! measurement setting to its largest round value that fits after a choice from the setup menus,
//! else offering the largest value that fits. `tests/fixtures/menu.json` records the menus and the
//! configuration every choice settles on, for `tests/e2e/menu.test.mjs` (which checks the page
//! shows exactly these menus and settles on exactly these configurations). The checks are pure functions of the configuration and the training set's
//! shape, so every choice from the defaults and the whole product of the menus that enter the
//! memory estimate are checked here; `tests/memory_estimate.rs` trains and measures the heaviest
//! of them under a counting allocator.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::{json, Value};
use sgn_lab::data::Dataset;
use sgn_lab::experiment::controls::{self, When, CONTROLS};
use sgn_lab::experiment::error::{Fit, FitSetting};
use sgn_lab::experiment::view::session::measure_check_of;
use sgn_lab::experiment::CheckedTraining;
use sgn_lab::experiment::{url, ExperimentConfig, ExperimentError};
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/menu.json");

/// One menu of the page (a control of `experiment::controls::CONTROLS`): its element id, the
/// key this test calls it by, its option values.
struct Menu {
    id: String,
    key: String,
    control: &'static str,
    options: Vec<String>,
}

/// The short names this test gives the measurement menus.
const ALIASES: [(&str, &str); 4] = [
    ("rule", "tail-rule"),
    ("level", "tail-level"),
    ("draws", "tail-draws"),
    ("n_cov", "spectrum-n"),
];

fn control_key(key: &str) -> &str {
    ALIASES.iter().find(|(a, _)| *a == key).map_or(key, |(_, k)| k)
}

fn fixture() -> Value {
    serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap()
}

/// The page's menus: the engine's control table (the page builds its menus from it, element id
/// `set-KEY`, the measurement menus their own key).
fn menus() -> Vec<Menu> {
    CONTROLS
        .iter()
        .map(|c| Menu {
            id: if c.when == When::Measurement {
                c.key.to_string()
            } else {
                format!("set-{}", c.key)
            },
            key: ALIASES
                .iter()
                .find(|(_, k)| *k == c.key)
                .map_or(c.key, |(a, _)| a)
                .to_string(),
            control: c.key,
            options: c.options.iter().map(|(v, _)| v.to_string()).collect(),
        })
        .collect()
}

fn menu<'a>(all: &'a [Menu], key: &str) -> &'a Menu {
    all.iter().find(|m| m.key == key).unwrap()
}

/// The page's defaults (`ExperimentConfig::lab_default`, seed 0) with `choices` made in order,
/// each by the control table's own [`sgn_lab::experiment::controls::Control::apply`].
fn with_choices(choices: &[(&str, &str)]) -> ExperimentConfig {
    let mut c = ExperimentConfig::lab_default();
    for (k, o) in choices {
        c = controls::find(control_key(k))
            .unwrap_or_else(|| panic!("no menu {k}"))
            .apply(&c, o)
            .unwrap_or_else(|| panic!("{k}: no option {o}"));
    }
    c
}

/// The training set of every dataset of the menu, as the defaults split it (the checks read its
/// shape; the labels menu does not change it).
struct Sets(HashMap<String, Dataset>);

impl Sets {
    fn new() -> Sets {
        let mut sets = HashMap::new();
        for o in &menu(&menus(), "data").options {
            let cfg = with_choices(&[("data", o)]);
            let bytes = cfg
                .data
                .dataset
                .asset()
                .map(|name| std::fs::read(format!("{}/assets/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap());
            sets.insert(
                format!("{:?}", cfg.data.dataset),
                cfg.prepare_data(bytes.as_deref()).unwrap().0,
            );
        }
        Sets(sets)
    }

    fn get(&self, cfg: &ExperimentConfig) -> &Dataset {
        &self.0[&format!("{:?}", cfg.data.dataset)]
    }
}

/// The measurement the page asks of a session (`Lab.check_measure`, `Lab.measure`): the
/// session's configuration with the page's measurement settings.
fn page_measurement(checked: &CheckedTraining, cfg: &ExperimentConfig) -> ExperimentConfig {
    ExperimentConfig {
        analysis: cfg.analysis.clone(),
        logging: cfg.logging.clone(),
        ..checked.config.clone()
    }
}

/// What Measure does for a session.
#[derive(Debug)]
enum Measure {
    /// Enabled: the estimate of data + training + measurement.
    Fits(u64),
    /// After a choice from the setup menus the page lowered `fit.setting` to `fit.round`; then it
    /// fits with this estimate.
    Lowered(Fit, u64),
    /// Disabled, with "use {name} = {largest}" beside the setting.
    Offered(Fit),
    /// Disabled with the engine's message and nothing to click: a failure of this test.
    Refused(ExperimentError),
}

/// The page after a choice: Play (the session's check) and Measure, with the configuration as
/// the page then holds it (and puts in the link).
struct Settled {
    config: ExperimentConfig,
    play: Result<CheckedTraining, ExperimentError>,
    measure: Option<Measure>,
}

/// What the page does with `cfg` (`from_menu`: it came from a choice in the setup menus): the
/// engine's own decision (`view::session::measure_check_of`, what `Lab.check_measure` answers),
/// then, when it lowered a setting, the check of the lowered configuration.
fn settle(cfg: ExperimentConfig, train: &Dataset, from_menu: bool) -> Settled {
    let checked = match cfg.check_training(train) {
        Ok(c) => c,
        Err(e) => {
            return Settled {
                config: cfg,
                play: Err(e),
                measure: None,
            }
        }
    };
    let fit_of = |c: &ExperimentConfig| match checked.check_measurement(&page_measurement(&checked, c), train) {
        Ok(m) => Ok(m.memory_estimate),
        Err(ExperimentError::MeasurementMemory { fit: Some(f), .. }) => Err(Ok(f)),
        Err(e) => Err(Err(e)),
    };
    let view = measure_check_of(&cfg, &checked, train, from_menu, |_| String::new());
    let (config, measure) = match (view.lowered, fit_of(&cfg)) {
        (_, Ok(est)) => (cfg, Measure::Fits(est)),
        (Some(lowered), Err(Ok(f))) => match fit_of(&lowered) {
            Ok(est) => (lowered, Measure::Lowered(f, est)),
            Err(Ok(f2)) => (lowered, Measure::Offered(f2)),
            Err(Err(e)) => (lowered, Measure::Refused(e)),
        },
        (None, Err(Ok(f))) => {
            assert!(
                view.note.as_ref().is_some_and(|n| n.apply.is_some()),
                "a refusal over the cap offers its fix"
            );
            (cfg, Measure::Offered(f))
        }
        (_, Err(Err(e))) => (cfg, Measure::Refused(e)),
    };
    Settled {
        config,
        play: Ok(checked),
        measure: Some(measure),
    }
}

/// The link state of `c` (the keys that differ from the protocol's default), seed left out.
fn link_state(c: &ExperimentConfig) -> Value {
    let base = serde_json::to_value(ExperimentConfig::default()).unwrap();
    let mut v = url::diff(&base, &serde_json::to_value(c).unwrap()).unwrap_or(json!({}));
    v.as_object_mut().unwrap().remove("seed");
    v
}

/// Whether `fit` is actionable: its largest value passes the whole check on a session of
/// `cfg`'s setup (a new one when the setting trains, e.g. m), and one more does not.
fn fit_is_exact(cfg: &ExperimentConfig, train: &Dataset, fit: &Fit) -> Result<(), String> {
    let at = |v: usize| {
        let mut c = cfg.clone();
        fit.setting.set(&mut c, v);
        c.check_training(train)
            .and_then(|t| t.check_measurement(&page_measurement(&t, &c), train))
    };
    at(fit.largest).map_err(|e| format!("{fit:?}: its largest value is refused: {e}"))?;
    at(fit.round).map_err(|e| format!("{fit:?}: its round value is refused: {e}"))?;
    if fit.largest < fit.value && at(fit.largest + 1).is_ok() {
        return Err(format!("{fit:?}: one more fits too"));
    }
    Ok(())
}

/// Every option of every menu, chosen from the page's defaults: Play is enabled and Measure
/// works — it fits, or (a setup choice) the page lowered a measurement setting to a round value
/// that fits, or (the measurement's own menus) it offers the largest value that fits. The
/// configuration the page settles on is the one `tests/fixtures/menu.json` records for the
/// browser test (`MENU_FIXTURE=write` rewrites that record).
#[test]
fn every_menu_choice_from_the_defaults_trains_and_measures() {
    let all = menus();
    let sets = Sets::new();
    let mut record = BTreeMap::new();
    let mut failed = Vec::new();
    let mut heaviest = (0, String::new());
    let mut n = 0;
    for m in &all {
        for o in &m.options {
            n += 1;
            let cfg = with_choices(&[(&m.key, o)]);
            let from_menu = m.id.starts_with("set-");
            let train = sets.get(&cfg);
            let s = settle(cfg, train, from_menu);
            let name = format!("{}={o}", m.id);
            match (&s.play, &s.measure) {
                (Err(e), _) => failed.push(format!("{name}: Play refused: {e}")),
                (Ok(_), Some(Measure::Fits(est))) => heaviest = heaviest.max((*est, name.clone())),
                (Ok(_), Some(Measure::Refused(e))) => failed.push(format!("{name}: Measure refused: {e}")),
                (Ok(_), Some(Measure::Lowered(f, est))) => {
                    eprintln!(
                        "{name}: {} lowered from {} to {} ({:.1} MiB)",
                        f.name,
                        f.value,
                        f.round,
                        mib(*est)
                    )
                }
                (Ok(_), Some(Measure::Offered(f))) if !from_menu => {
                    eprintln!("{name}: offers {} = {} (largest that fits)", f.name, f.largest);
                    if let Err(e) = fit_is_exact(&s.config, train, f) {
                        failed.push(format!("{name}: {e}"));
                    }
                }
                (Ok(_), m) => failed.push(format!("{name}: Measure {m:?}")),
            }
            record.insert(name, link_state(&s.config));
        }
    }
    eprintln!(
        "{n} choices; the heaviest that fits as chosen: {} ({:.1} MiB)",
        heaviest.1,
        mib(heaviest.0)
    );
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(n, all.iter().map(|m| m.options.len()).sum::<usize>());
    // LeNet-5 from the menu, everything else at its default: N_cov lowered to a round value.
    let lenet = with_choices(&[("model", "lenet")]);
    let s = settle(lenet, sets.get(&with_choices(&[])), true);
    match s.measure {
        Some(Measure::Lowered(f, _)) => {
            assert_eq!((f.setting, f.value), (FitSetting::NCov, 1000));
            assert_eq!(f.round % 100, 0);
            assert!(f.round >= 500 && f.round <= f.largest && f.largest < 1000, "{f:?}");
        }
        other => panic!("LeNet-5 at the defaults: {other:?}"),
    }
    let mut fx = fixture();
    let record = Value::Object(record.into_iter().collect());
    let listed = json!(all
        .iter()
        .map(|m| json!({"id": m.id, "key": m.control, "options": m.options}))
        .collect::<Vec<_>>());
    if std::env::var("MENU_FIXTURE").as_deref() == Ok("write") {
        fx["choices"] = record;
        fx["menus"] = listed;
        std::fs::write(FIXTURE, serde_json::to_string_pretty(&fx).unwrap() + "\n").unwrap();
    } else {
        assert_eq!(
            fx["menus"], listed,
            "the control table changed: check, then MENU_FIXTURE=write"
        );
        assert_eq!(
            fx["choices"], record,
            "the page's settled configurations changed: check, then MENU_FIXTURE=write"
        );
    }
}

fn mib(b: u64) -> f64 {
    b as f64 / 1048576.0
}

/// The whole product of the menus that enter the memory estimate — dataset × labels × model ×
/// width (FCN only) × batch size × epochs × tracked parameters (the session) × draws × N_cov
/// (the measurement), 7·4·16·6·6·5 sessions of 25 measurements, with Clauset's rule (the page's
/// 1000 bootstrap replicates) — as a choice from the setup menus: Play is enabled except for
/// LeNet-5 on data other than the 28×28 MNIST images, where the message names the model and the
/// dataset to choose; Measure fits, or the page lowers N_cov or M to a round value that fits. The
/// other menus (activation, learning rate, momentum, weight decay, schedule, level, and the rule
/// itself) do not enter the estimate: [`other_menus_leave_the_estimate_unchanged`].
#[test]
fn the_product_of_the_memory_menus_trains_and_measures() {
    let all = menus();
    let t0 = Instant::now();
    let sets = Sets::new();
    let mut failed = Vec::new();
    let (mut sessions, mut measurements, mut lowered, mut lenet_refused) = (0, 0, 0, 0);
    let mut above: BTreeMap<&str, usize> = BTreeMap::new();
    // What the page lowers, by data and model: (least, most) round value over the other menus.
    let mut lowerings: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    // The heaviest sessions and measurements (estimate, combination).
    let mut heaviest_train: Vec<(u64, String)> = Vec::new();
    let mut heaviest: Vec<(u64, String)> = Vec::new();
    let mut models: Vec<Vec<(&str, &str)>> = Vec::new();
    for o in &menu(&all, "model").options {
        if o == "lenet" {
            models.push(vec![("model", o)]);
        } else {
            for w in &menu(&all, "width").options {
                models.push(vec![("model", o), ("width", w)]);
            }
        }
    }
    for data in &menu(&all, "data").options {
        for labels in &menu(&all, "labels").options {
            for model in &models {
                for bs in &menu(&all, "bs").options {
                    for epochs in &menu(&all, "epochs").options {
                        for tracked in &menu(&all, "tracked").options {
                            let mut choices = vec![("data", data.as_str()), ("labels", labels.as_str())];
                            choices.extend(model.iter().copied());
                            choices.extend([("bs", bs.as_str()), ("epochs", epochs.as_str()), ("tracked", tracked)]);
                            choices.push(("rule", "clauset"));
                            let session = with_choices(&choices);
                            let train = sets.get(&session);
                            sessions += 1;
                            let checked = match session.check_training(train) {
                                Ok(c) => c,
                                Err(ExperimentError::ModelNeedsImages { .. })
                                    if model[0].1 == "lenet" && data != "mnist" =>
                                {
                                    lenet_refused += 1;
                                    continue;
                                }
                                // A batch larger than a small table, more tracked parameters than
                                // a tiny network: the message names the setting and its largest
                                // value, which Play then accepts.
                                Err(ExperimentError::AboveLimit { field, largest, .. }) => {
                                    *above.entry(field).or_insert(0) += 1;
                                    let mut c = serde_json::to_value(&session).unwrap();
                                    let (group, key) = field.split_once('.').unwrap();
                                    c[group][key] = json!(largest);
                                    let c: ExperimentConfig = serde_json::from_value(c).unwrap();
                                    if let Err(e) = c.check_training(train) {
                                        if !matches!(e, ExperimentError::AboveLimit { .. }) {
                                            failed.push(format!("{field} = {largest}: {e} ({choices:?})"));
                                        }
                                    }
                                    continue;
                                }
                                Err(e) => {
                                    failed.push(format!("Play refused: {e} ({choices:?})"));
                                    continue;
                                }
                            };
                            let name = |extra: &[(&str, &str)]| {
                                choices
                                    .iter()
                                    .chain(extra)
                                    .filter(|(k, _)| *k != "rule")
                                    .map(|(k, v)| format!("{k}={v}"))
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            };
                            heaviest_train.push((checked.training_estimate, name(&[])));
                            for draws in &menu(&all, "draws").options {
                                for n_cov in &menu(&all, "n_cov").options {
                                    measurements += 1;
                                    let mut cfg = session.clone();
                                    cfg.analysis.draws = draws.parse().unwrap();
                                    cfg.analysis.n_cov = n_cov.parse().unwrap();
                                    let req = page_measurement(&checked, &cfg);
                                    let est = match checked.check_measurement(&req, train) {
                                        Ok(m) => m.memory_estimate,
                                        Err(ExperimentError::MeasurementMemory { fit: Some(f), .. })
                                            if matches!(f.setting, FitSetting::NCov | FitSetting::Draws) =>
                                        {
                                            lowered += 1;
                                            let model = name(&[])
                                                .split(' ')
                                                .filter(|p| {
                                                    p.starts_with("data=")
                                                        || p.starts_with("model=")
                                                        || p.starts_with("width=")
                                                })
                                                .collect::<Vec<_>>()
                                                .join(" ");
                                            let e = lowerings
                                                .entry(format!("{model}: {} {}", f.name, f.value))
                                                .or_insert((usize::MAX, 0));
                                            *e = (e.0.min(f.round), e.1.max(f.round));
                                            let mut low = req.clone();
                                            f.setting.set(&mut low, f.round);
                                            match checked.check_measurement(&low, train) {
                                                Ok(m) => m.memory_estimate,
                                                Err(e) => {
                                                    failed.push(format!("lowered, still {e} ({})", name(&[])));
                                                    continue;
                                                }
                                            }
                                        }
                                        Err(e) => {
                                            failed.push(format!(
                                                "Measure refused: {e} ({})",
                                                name(&[("draws", draws), ("n_cov", n_cov)])
                                            ));
                                            continue;
                                        }
                                    };
                                    heaviest.push((est, name(&[("draws", draws), ("n_cov", n_cov)])));
                                }
                            }
                            heaviest.sort_by(|a, b| b.cmp(a));
                            heaviest.truncate(5);
                            heaviest_train.sort_by(|a, b| b.cmp(a));
                            heaviest_train.truncate(5);
                        }
                    }
                }
            }
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    eprintln!(
        "{sessions} sessions ({lenet_refused} LeNet-5 on other data refused, naming the dataset; refused above a limit of \
         the data, naming the largest value: {above:?}), {measurements} measurements ({lowered} lowered to fit) in {secs:.1} s"
    );
    for (k, (lo, hi)) in &lowerings {
        eprintln!("lowered: {k} → {lo}..={hi}");
    }
    for (e, n) in &heaviest_train {
        eprintln!("heaviest training: {:.1} MiB  {n}", mib(*e));
    }
    for (e, n) in &heaviest {
        eprintln!("heaviest measurement: {:.1} MiB  {n}", mib(*e));
    }
    // The failures by message, with a count and the first combination.
    let mut kinds: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for f in &failed {
        let (msg, combo) = f.split_once(" (").unwrap_or((f, ""));
        kinds.entry(msg.to_string()).or_insert((0, combo.to_string())).0 += 1;
    }
    assert!(failed.is_empty(), "{} failures: {kinds:#?}", failed.len());
    assert_eq!(sessions, 7 * 4 * 16 * 6 * 6 * 5);
    assert_eq!(
        lenet_refused,
        6 * 4 * 6 * 6 * 5,
        "LeNet-5 is refused exactly off the 28×28 MNIST images"
    );
    // wine (142 training samples) refuses B = 256 and 512, breast cancer (455) B = 512; wine on a
    // 13 → 10 → 3 FCN has 173 parameters (m = 200 refused when B fits).
    assert_eq!(above.get("training.batch_size"), Some(&(3 * 4 * 15 * 6 * 5)));
    assert_eq!(above.get("logging.n_tracked"), Some(&(4 * 4 * 6)));
}

/// The menus left out of the product do not enter the memory estimate: from a light and two
/// heavy setups, each of their options leaves the training and the measurement estimates as
/// they are, and the three kinds of noisy labels estimate alike (one relabelled copy).
#[test]
fn other_menus_leave_the_estimate_unchanged() {
    let all = menus();
    let sets = Sets::new();
    let estimates = |cfg: &ExperimentConfig, sets: &Sets| {
        let train = sets.get(cfg);
        let t = cfg.check_training(train).unwrap();
        let m = t.check_measurement(&page_measurement(&t, cfg), train).unwrap();
        (t.training_estimate, m.memory_estimate)
    };
    for base in [
        vec![],
        vec![("model", "lenet"), ("n_cov", "250"), ("tracked", "200"), ("bs", "16")],
        vec![
            ("model", "fcn4"),
            ("width", "256"),
            ("n_cov", "250"),
            ("draws", "1000"),
            ("epochs", "20"),
        ],
    ] {
        let want = estimates(&with_choices(&base), &sets);
        for key in ["act", "lr", "mom", "wd", "sched", "level", "rule"] {
            for o in &menu(&all, key).options {
                let mut choices = base.clone();
                choices.push((key, o));
                assert_eq!(estimates(&with_choices(&choices), &sets), want, "{choices:?}");
            }
        }
        let mut noisy = Vec::new();
        for o in ["noise20", "noise40", "random"] {
            let mut choices = base.clone();
            choices.push(("labels", o));
            noisy.push(estimates(&with_choices(&choices), &sets));
        }
        assert!(noisy.windows(2).all(|w| w[0] == w[1]), "{noisy:?}");
        assert!(noisy[0].0 > want.0, "a relabelled copy is counted");
    }
}

/// Choices from the defaults, the setting that drives the measurement over a cap, its value.
type Case = (Vec<(&'static str, &'static str)>, FitSetting, usize);

/// The fit search against a scan of every value: for N_cov (two monotone pieces, the Gaussian
/// baseline's switch from the N_cov × P matrix to the Bartlett factor), M and m, on the menu's
/// models, the largest value that passes the whole check — found by trying each value in turn —
/// is the one the search reports; and below the cap nothing is reported.
#[test]
fn the_largest_value_that_fits_is_exact() {
    let sets = Sets::new();
    let mut checked_cases = 0;
    // (choices, the setting that drives it, its value)
    let cases: Vec<Case> = vec![
        (vec![("model", "lenet")], FitSetting::NCov, 1000),
        (vec![("model", "lenet"), ("tracked", "200")], FitSetting::NCov, 2000),
        (vec![("model", "fcn1"), ("width", "10")], FitSetting::NCov, 2000),
        (vec![("model", "fcn4"), ("width", "256")], FitSetting::NCov, 2000),
        (
            vec![("data", "mnist14"), ("model", "fcn1"), ("width", "32")],
            FitSetting::NCov,
            2000,
        ),
        (vec![("data", "digits"), ("n_cov", "1000")], FitSetting::NCov, 1000),
        (
            vec![("data", "teacher"), ("n_cov", "0"), ("tracked", "200")],
            FitSetting::Draws,
            5000,
        ),
        (vec![("data", "mixture"), ("n_cov", "0")], FitSetting::Tracked, 1000),
    ];
    for (choices, setting, value) in cases {
        let mut cfg = with_choices(&choices);
        setting.set(&mut cfg, value);
        if setting == FitSetting::Tracked {
            // M at its least: the measurement's own settings cannot help, so m is the driver.
            cfg.analysis.draws = 10;
            cfg.model = sgn_lab::nn::ModelSpec::Fcn {
                hidden: vec![64, 64],
                activation: sgn_lab::nn::ActivationKind::Relu,
            };
        }
        let train = sets.get(&cfg);
        // A cap that the least value fits and the value does not: a quarter of the way.
        let mut least = cfg.clone();
        setting.set(&mut least, setting.least());
        let est = |c: &ExperimentConfig| {
            let mut u = c.clone();
            u.memory_cap = 4 << 30;
            let t = u.check_training(train).unwrap();
            t.check_measurement(&page_measurement(&t, &u), train)
                .unwrap()
                .memory_estimate
        };
        let (lo, hi) = (est(&least), est(&cfg));
        assert!(lo < hi, "{choices:?}");
        for cap in [lo + (hi - lo) / 4, lo + (hi - lo) / 2, (512u64 << 20).clamp(lo, hi - 1)] {
            cfg.memory_cap = cap;
            let passes = |v: usize| {
                let mut c = cfg.clone();
                setting.set(&mut c, v);
                c.check_training(train)
                    .and_then(|t| t.check_measurement(&page_measurement(&t, &c), train))
                    .is_ok()
            };
            let t = cfg.check_training(train).unwrap();
            let fit = match t.check_measurement(&page_measurement(&t, &cfg), train) {
                Err(ExperimentError::MeasurementMemory { fit: Some(f), .. }) => f,
                other => panic!("{choices:?} cap {cap}: {other:?}"),
            };
            assert_eq!(fit.setting, setting, "{choices:?} cap {cap}: the driver");
            let scan = (setting.least()..=fit.value).rev().find(|&v| passes(v)).unwrap();
            assert_eq!(fit.largest, scan, "{choices:?} cap {cap}");
            assert!(passes(fit.round) && fit.round <= fit.largest, "{fit:?}");
            checked_cases += 1;
        }
    }
    assert_eq!(checked_cases, 24);
}
