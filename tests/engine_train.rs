//! Training end to end on the MNIST subset: accuracy, determinism, divergence, validation.

#![allow(clippy::field_reassign_with_default)]

use sgn_lab::data::{mnist, Dataset};
use sgn_lab::train::{ConfigError, Divergence, LogParams, TrainError, TrainParams, Trainer};

fn mnist_split(seed: u64) -> (Dataset, Dataset) {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/mnist-10k.bin.gz"
    ))
    .expect("asset");
    mnist::load_default(&bytes, seed).expect("decode")
}

#[test]
fn default_network_beats_90_percent_on_mnist_subset() {
    let (train, test) = mnist_split(0);
    assert_eq!((train.n, test.n, train.d), (8000, 2000, 784));
    let mut p = TrainParams::default();
    p.epochs = 3;
    p.log = None;
    let cfg = p.check(&train).unwrap();
    let mut tr = Trainer::new(cfg, train).unwrap();
    let t0 = std::time::Instant::now();
    tr.run(u64::MAX).unwrap();
    let ev = tr.evaluate(&test).unwrap();
    eprintln!(
        "3 epochs: {} steps in {:?}, test accuracy {:.4}, loss {:.4}",
        tr.step_index(),
        t0.elapsed(),
        ev.accuracy,
        ev.loss
    );
    assert!(ev.accuracy > 0.90, "test accuracy {}", ev.accuracy);
}

#[test]
fn same_seed_gives_bit_identical_weights_and_logs() {
    let (train, _) = mnist_split(1);
    let small = train.subset(1024, 2).unwrap();
    let mut p = TrainParams::default();
    p.epochs = 2;
    p.log = Some(LogParams {
        n_tracked: 20,
        full_every: 5,
        frozen: None,
    });
    let run = |p: &TrainParams| {
        let mut tr = Trainer::new(p.check(&small).unwrap(), small.clone()).unwrap();
        tr.run(u64::MAX).unwrap();
        (
            tr.fingerprint(),
            tr.log().unwrap().fingerprint(),
            tr.network().params.clone(),
        )
    };
    let a = run(&p);
    let b = run(&p);
    assert_eq!(a.0, b.0);
    assert_eq!(a.1, b.1);
    assert_eq!(a.2, b.2);
    p.seed = 9;
    let c = run(&p);
    assert_ne!(a.0, c.0);
}

#[test]
fn divergence_is_a_typed_error_naming_the_step() {
    let (train, _) = mnist_split(0);
    let small = train.subset(512, 0).unwrap();
    let mut p = TrainParams::default();
    p.sgd.lr = 10.0;
    p.sgd.momentum = 0.99;
    p.epochs = 50;
    p.log = None;
    let mut tr = Trainer::new(p.check(&small).unwrap(), small).unwrap();
    let err = tr.run(u64::MAX).unwrap_err();
    match &err {
        TrainError::Diverged { step, what } => {
            assert!(*step < tr.total_steps());
            assert!(matches!(what, Divergence::Loss | Divergence::Weights));
            assert!(err.to_string().contains(&format!("step {step}")));
        }
        e => panic!("unexpected {e:?}"),
    }
    // Stays stopped.
    assert_eq!(tr.step().unwrap_err(), err);
}

#[test]
fn configs_are_validated_before_allocation() {
    let (train, _) = mnist_split(0);
    let mut p = TrainParams::default();
    p.batch_size = 0;
    assert!(matches!(
        p.check(&train),
        Err(ConfigError::OutOfRange {
            field: "batch_size",
            ..
        })
    ));
    let mut p = TrainParams::default();
    p.sgd.lr = f64::NAN;
    assert!(matches!(
        p.check(&train),
        Err(ConfigError::OutOfRange { field: "lr", .. })
    ));
    let mut p = TrainParams::default();
    p.memory_cap = 1 << 20;
    match p.check(&train) {
        Err(ConfigError::Memory { estimate, cap }) => {
            assert!(estimate > cap);
        }
        r => panic!("{r:?}"),
    }
    let ok = TrainParams::default().check(&train).unwrap();
    assert!(ok.memory.total < 512 << 20);
    assert_eq!(ok.n_params, 89_610);
}
