//! Faithful arms (issue #15): every arm of a sweep trains at several seeds — the batch sweep with
//! its learning rate scaled linearly with B, the random-label arm until it has memorised its labels
//! — so a verdict is about the network it names; and an arm that did not train is excluded from
//! its verdict with the reason, and never stops a run or the tour.
#![cfg(not(target_arch = "wasm32"))]

use sgn_lab::experiment::presets::batch_sweep::scaled_lr;
use sgn_lab::experiment::presets::reduced_base;
use sgn_lab::experiment::presets::shared::{not_trained, MEMORISED, TRAINED_MARGIN};
use sgn_lab::experiment::verdict::{Evidence, Outcome, VerdictOutcome};
use sgn_lab::experiment::{run_preset, ExperimentConfig, Report};
use sgn_lab::nn::{ActivationKind, ModelSpec};

fn assets(name: &str) -> Option<Vec<u8>> {
    std::fs::read(format!("{}/assets/{name}", env!("CARGO_MANIFEST_DIR"))).ok()
}

fn run(name: &str, cfg: &ExperimentConfig) -> Report {
    run_preset(name, cfg, &mut assets, &mut |_| true).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The reduced configuration (8×8 digits, 1000 training samples) with the default's hidden width
/// and base batch size, and enough epochs for the digits to train (FCN 64→100→10, B = 128,
/// 10 epochs: ≈ 80 steps).
fn base(seed: u64) -> ExperimentConfig {
    let mut c = reduced_base(seed);
    c.model = ModelSpec::Fcn {
        hidden: vec![100],
        activation: ActivationKind::Relu,
    };
    c.training.batch_size = 128;
    c.training.epochs = 10;
    c
}

const SEEDS: [u64; 3] = [0, 1, 2];

#[test]
fn every_batch_size_trains_with_the_scaled_learning_rate_at_several_seeds() {
    for seed in SEEDS {
        let b = base(seed);
        let r = run("batch-sweep", &b);
        // 512 > N/2 = 500 is left out at this size: B = 32 and 128.
        assert_eq!(r.arms.len(), 2, "seed {seed}");
        for arm in &r.arms {
            let bs = arm.config.training.batch_size;
            assert_eq!(arm.config.training.lr, scaled_lr(b.training.lr, 128, bs), "seed {seed}");
            let acc = arm.evals.last().unwrap().test.accuracy;
            assert!(
                not_trained(arm, 10).is_none(),
                "seed {seed}, {}: test accuracy {acc} ≤ chance + {TRAINED_MARGIN}",
                arm.label
            );
        }
        assert!(r.arms[0].label.starts_with("B = 32, η = 0.025"), "{}", r.arms[0].label);
    }
}

#[test]
fn the_random_label_arm_memorises_its_labels_at_several_seeds() {
    for seed in SEEDS {
        let r = run("labels", &base(seed));
        let random: Vec<_> = r.arms.iter().filter(|a| a.config.data.random_labels).collect();
        assert_eq!(random.len(), 1, "seed {seed}");
        let a = random[0];
        // min(1000, ⌈1000/4⌉) = 250 samples, 60 epochs.
        assert_eq!((a.n_train, a.config.training.epochs), (250, 60), "seed {seed}");
        let fit = a.train_eval.as_ref().expect("a training-set evaluation").test.accuracy;
        assert!(fit >= MEMORISED, "seed {seed}: training accuracy {fit} < {MEMORISED}");
        // Its test accuracy is at chance by construction: random labels carry no signal.
        let test = a.evals.last().unwrap().test.accuracy;
        assert!(test < 0.1 + TRAINED_MARGIN, "seed {seed}: test accuracy {test}");
        for arm in &r.arms {
            assert!(not_trained(arm, 10).is_none(), "seed {seed}, {}", arm.label);
        }
    }
}

/// η = 10⁻⁶ leaves the network at its initial, chance-level accuracy: every arm's claim is then
/// not tested, each clause naming the exclusion, and the tour still runs to its end.
#[test]
fn an_arm_that_did_not_train_is_excluded_and_the_tour_goes_on() {
    let mut c = reduced_base(4);
    c.training.lr = 1e-6;
    let tour = run("paper-tour", &c);
    assert_eq!(tour.verdicts.len(), 1);
    assert!(tour.parts.len() >= 9);
    let mut excluded = 0;
    for p in &tour.parts {
        let v = &p.verdicts[0];
        assert_ne!(
            v.outcome,
            VerdictOutcome::Agrees,
            "{}: an untrained network agreed",
            p.preset
        );
        for clause in &v.clauses {
            if let Evidence::Missing { reason } = &clause.evidence {
                if reason.starts_with("excluded: the network did not train") {
                    assert_eq!(clause.outcome, Outcome::NotTested);
                    excluded += 1;
                }
            }
        }
    }
    assert!(excluded >= 6, "{excluded} excluded clauses");
    let heavy = tour.parts.iter().find(|p| p.preset == "heavy-tails").unwrap();
    assert_eq!(heavy.verdicts[0].outcome, VerdictOutcome::NotTested);
}
