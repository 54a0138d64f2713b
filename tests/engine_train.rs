//! Training end to end on the MNIST subset: accuracy, determinism, divergence, validation.

#![allow(clippy::field_reassign_with_default, clippy::needless_range_loop)]

use sgn_lab::data::{mnist, Dataset};
use sgn_lab::nn::grad::full_batch_grad;
use sgn_lab::nn::LossKind;
use sgn_lab::params::OutOfRange;
use sgn_lab::train::{ConfigError, Divergence, LogParams, TrainError, TrainParams, Trainer};

fn mnist_split(seed: u64) -> (Dataset, Dataset) {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/mnist-10k.bin.gz")).expect("asset");
    mnist::load_default(&bytes, seed).expect("decode")
}

#[test]
fn default_network_beats_90_percent_on_mnist_subset() {
    let (train, test) = mnist_split(0);
    assert_eq!((train.n(), test.n(), train.d()), (8000, 2000, 784));
    let mut p = TrainParams::default();
    p.sgd.epochs = 3;
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
    p.sgd.epochs = 2;
    p.log = Some(LogParams {
        n_tracked: 20,
        full_every: 5,
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
    p.sgd.epochs = 50;
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
    p.sgd.batch_size = 0;
    assert!(matches!(
        p.check(&train),
        Err(ConfigError::OutOfRange(OutOfRange {
            field: "batch_size",
            ..
        }))
    ));
    let mut p = TrainParams::default();
    p.sgd.lr = f64::NAN;
    assert!(matches!(
        p.check(&train),
        Err(ConfigError::OutOfRange(OutOfRange { field: "lr", .. }))
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

#[test]
fn sgd_update_follows_the_pytorch_convention() {
    // B = N: every step's minibatch gradient is the full-batch gradient, so the trajectory can be
    // replayed in f64: d = g + λθ, v ← μv + d, θ ← θ − η v.
    let (train, _) = mnist_split(0);
    let small = train.subset(256, 1).unwrap();
    let mut p = TrainParams::default();
    p.sgd.batch_size = 256;
    p.sgd.epochs = 4;
    p.sgd.lr = 0.05;
    p.log = None;
    let mut tr = Trainer::new(p.check(&small).unwrap(), small.clone()).unwrap();
    let mut net = tr.network_f64();
    let mut v = vec![0.0; net.n_params()];
    for t in 0..4u64 {
        let lr = p.sgd.schedule.lr(p.sgd.lr, t, 4);
        let g = full_batch_grad(&net, &small, LossKind::CrossEntropy).unwrap();
        for i in 0..v.len() {
            let d = g.grad[i] + p.sgd.weight_decay * net.params[i];
            v[i] = p.sgd.momentum * v[i] + d;
            net.params[i] -= lr * v[i];
        }
        let s = tr.step().unwrap();
        assert_eq!(s.step, t);
        assert!((s.lr - lr).abs() < 1e-15);
        assert!(
            (s.loss - g.loss).abs() < 1e-5 * g.loss.abs().max(1.0),
            "{} vs {}",
            s.loss,
            g.loss
        );
    }
    let got = tr.network_f64().params;
    let num: f64 = got
        .iter()
        .zip(&net.params)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt();
    let den: f64 = net.params.iter().map(|a| a * a).sum::<f64>().sqrt();
    assert!(num / den < 1e-5, "relative distance {}", num / den);
    assert!(matches!(tr.step(), Err(TrainError::Finished { total_steps: 4 })));
}

#[test]
fn batch_size_one_and_slices_resume_identically() {
    let (train, _) = mnist_split(0);
    let small = train.subset(300, 1).unwrap();
    let mut p = TrainParams::default();
    p.sgd.batch_size = 1;
    p.sgd.epochs = 1;
    p.sgd.lr = 0.01;
    p.log = Some(LogParams {
        n_tracked: 5,
        full_every: 100,
    });
    let cfg = p.check(&small).unwrap();
    assert_eq!(cfg.total_steps, 300);
    let mut a = Trainer::new(cfg.clone(), small.clone()).unwrap();
    a.run(u64::MAX).unwrap();
    // The same run in uneven slices, as the page's worker does.
    let mut b = Trainer::new(cfg, small).unwrap();
    for slice in [1u64, 7, 50, 2, 1000] {
        b.run(slice).unwrap();
    }
    assert!(b.is_finished());
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_eq!(a.log().unwrap().fingerprint(), b.log().unwrap().fingerprint());
    assert_eq!(a.history(), b.history());
}

#[test]
fn per_sample_requests_above_the_cap_are_refused() {
    let (train, _) = mnist_split(0);
    let mut p = TrainParams::default();
    p.log = None;
    p.memory_cap = 64 << 20;
    let tr = Trainer::new(p.check(&train).unwrap(), train).unwrap();
    let all: Vec<usize> = (0..8000).collect();
    assert!(matches!(
        tr.per_sample_grads(&all),
        Err(TrainError::Config(ConfigError::Memory { .. }))
    ));
    assert_eq!(tr.per_sample_grads(&all[..1000]).unwrap().n, 1000);
}

#[test]
fn initial_network_is_theta_zero() {
    let (train, _) = mnist_split(0);
    let small = train.subset(256, 1).unwrap();
    let mut p = TrainParams::default();
    p.log = None;
    p.sgd.epochs = 1;
    let cfg = p.check(&small).unwrap();
    let fresh = Trainer::new(cfg.clone(), small.clone()).unwrap();
    let mut tr = Trainer::new(cfg, small).unwrap();
    tr.run(u64::MAX).unwrap();
    assert_ne!(tr.fingerprint(), fresh.fingerprint());
    assert_eq!(tr.initial_network().fingerprint(), fresh.fingerprint());
}

/// Fingerprints of fixed runs, checked natively here and equal in wasm32 (verified with and
/// without SIMD128 in Node on 2026-11-27): a browser test can assert the same constants.
#[test]
fn golden_fingerprints_shared_with_the_browser() {
    use sgn_lab::data::synthetic::{gaussian_mixture, MixtureParams};
    use sgn_lab::data::ImageShape;
    use sgn_lab::nn::{ActivationKind, ModelSpec};
    use sgn_lab::train::FrozenParams;
    let mut ds = gaussian_mixture(&MixtureParams {
        n: 1024,
        d: 784,
        n_classes: 10,
        separation: 0.3,
        seed: 5,
    })
    .unwrap();
    ds.image = Some(ImageShape {
        channels: 1,
        rows: 28,
        cols: 28,
    });
    let mut p = TrainParams::default();
    p.sgd.epochs = 3;
    p.log = Some(LogParams {
        n_tracked: 20,
        full_every: 7,
    });
    p.frozen = Some(FrozenParams {
        at_steps: vec![10],
        draws: 50,
        batch_size: 32,
    });
    let mut tr = Trainer::new(p.check(&ds).unwrap(), ds.clone()).unwrap();
    tr.run(u64::MAX).unwrap();
    assert_eq!(tr.fingerprint(), 0x06c7_cfaf_a6f9_c9b2);
    assert_eq!(tr.log().unwrap().fingerprint(), 0xae71_37de_095a_9969);
    let ps = tr.per_sample_grads(&(0..64).collect::<Vec<_>>()).unwrap();
    let h = ps.mean().iter().fold(0xcbf2_9ce4_8422_2325u64, |h, v| {
        (h ^ v.to_bits()).wrapping_mul(0x100_0000_01b3)
    });
    assert_eq!(h, 0xb3c3_6ddc_14ec_2d34);
    p.model = ModelSpec::Fcn {
        hidden: vec![64, 32, 16, 16],
        activation: ActivationKind::Tanh,
    };
    p.log = None;
    let mut tr = Trainer::new(p.check(&ds).unwrap(), ds.clone()).unwrap();
    tr.run(u64::MAX).unwrap();
    assert_eq!(tr.fingerprint(), 0xfb6d_2720_b4fd_2ee4);
    p.model = ModelSpec::Lenet {
        activation: ActivationKind::Relu,
    };
    p.sgd.epochs = 1;
    p.sgd.lr = 0.01;
    let mut tr = Trainer::new(p.check(&ds).unwrap(), ds).unwrap();
    tr.run(u64::MAX).unwrap();
    assert_eq!(tr.fingerprint(), 0x4193_fc6d_4fe8_433c);
}
