//! The GradientLog and the trainer's gradient API: logged g_t, ∇L(θ_t) and ξ_t agree with the
//! measurement functions at the same θ; frozen-θ draws; LeNet and the other datasets train.

#![allow(clippy::field_reassign_with_default)]

use sgn_lab::data::{images, mnist, prepare, synthetic, tabular, Dataset, PrepareParams};
use sgn_lab::nn::{ActivationKind, LossKind, ModelSpec};
use sgn_lab::train::{FrozenParams, LogParams, LrSchedule, Precision, TrainParams, Trainer};

fn asset(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/assets/{name}", env!("CARGO_MANIFEST_DIR"))).expect("asset")
}

fn rel(a: &[f64], b: &[f64]) -> f64 {
    let n: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt();
    n / b.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-300)
}

fn digits() -> (Dataset, Dataset) {
    let all = images::decode_digits8x8(&asset("digits-8x8.bin.gz")).unwrap();
    assert_eq!((all.n(), all.d(), all.n_classes), (1797, 64, 10));
    prepare(
        &all,
        &PrepareParams {
            n_train: Some(1400),
            n_test: Some(397),
            ..Default::default()
        },
    )
    .unwrap()
}

#[test]
fn logged_gradients_match_measurements_at_the_same_theta() {
    let (train, _) = digits();
    let mut p = TrainParams::default();
    p.sgd.epochs = 2;
    p.log = Some(LogParams {
        n_tracked: 30,
        full_every: 4,
    });
    p.frozen = Some(FrozenParams {
        at_steps: vec![5],
        draws: 400,
        batch_size: 32,
    });
    let cfg = p.check(&train).unwrap();
    let mut tr = Trainer::new(cfg, train).unwrap();
    // Step 0: the snapshot's ∇L equals the full-batch gradient at θ₀, g₀ the first minibatch's.
    let full0 = tr.full_batch_grad().unwrap();
    tr.step().unwrap();
    let log = tr.log().unwrap();
    assert_eq!(log.tracked.len(), 30);
    assert!(log.tracked.iter().all(|&i| full0.grad[i] != 0.0));
    let s = &log.snapshots[0];
    assert_eq!(s.step, 0);
    assert_eq!(s.full, full0.grad);
    for i in 0..s.g.len() {
        assert_eq!(s.xi[i], s.g[i] - s.full[i]);
    }
    assert!((s.full_loss - full0.loss).abs() < 1e-12);
    // Tracked values at step 0 are the snapshot's g at those indices.
    for (c, &i) in log.tracked.iter().enumerate() {
        assert_eq!(log.tracked_grads[c], s.g[i]);
    }
    tr.run(u64::MAX).unwrap();
    let log = tr.log().unwrap();
    let t = tr.total_steps() as usize;
    assert_eq!(log.steps.len(), t);
    assert_eq!(log.tracked_grads.len(), t * 30);
    assert_eq!(log.tracked_series(3).len(), t);
    assert_eq!(log.snapshots.len(), t.div_ceil(4));
    // Frozen draws at step 5: the tracked full gradient equals ∇L there, ξ has mean ≈ 0.
    let f = &log.frozen[0];
    assert_eq!((f.step, f.draws, f.g.len()), (5, 400, 400 * 30));
    let snap4 = &log.snapshots[1];
    assert_eq!(snap4.step, 4);
    let m = f.tracked.len();
    let mut mean = vec![0.0; m];
    for row in f.xi.chunks(m) {
        for (a, v) in mean.iter_mut().zip(row) {
            *a += v / 400.0;
        }
    }
    let sd: f64 = (f.xi.iter().map(|v| v * v).sum::<f64>() / f.xi.len() as f64).sqrt();
    assert!(mean.iter().all(|v| v.abs() < 6.0 * sd / 20.0), "mean {mean:?} sd {sd}");
    assert_eq!(f.xi_series(0).len(), 400);
}

#[test]
fn trainer_gradient_api_is_consistent() {
    let (train, _) = digits();
    let mut p = TrainParams::default();
    p.sgd.epochs = 1;
    p.log = None;
    p.sgd.precision = Precision::F64;
    let mut tr = Trainer::new(p.check(&train).unwrap(), train.clone()).unwrap();
    tr.run(5).unwrap();
    assert_eq!(tr.step_index(), 5);
    let full = tr.full_batch_grad().unwrap();
    let ps = tr.per_sample_grads(&(0..1400).collect::<Vec<_>>()).unwrap();
    assert!(rel(&ps.mean(), &full.grad) < 1e-10);
    let b = tr.draw_batch(64, 1, 2).unwrap();
    let s = tr.sgn(&b).unwrap();
    let g = tr.minibatch_grad(&b).unwrap();
    assert_eq!(s.g_batch, g.grad);
    assert_eq!(s.full, full.grad);
    // Tracked per-sample values equal the dense rows.
    let tracked = [0usize, 100, 4_000, 17_000];
    let tps = tr.tracked_per_sample(&tracked).unwrap();
    for j in [0usize, 700, 1399] {
        for (c, &i) in tracked.iter().enumerate() {
            assert_eq!(tps[j * 4 + c], ps.get(j, i).unwrap());
        }
    }
    assert!(tr.tracked_per_sample(&[10_000_000]).is_err());
}

#[test]
fn lenet_trains_on_mnist_and_loss_falls() {
    let bytes = asset("mnist-10k.bin.gz");
    let all = mnist::decode(&bytes).unwrap();
    let (train, test) = prepare(
        &all,
        &PrepareParams {
            n_train: Some(2000),
            n_test: Some(500),
            ..Default::default()
        },
    )
    .unwrap();
    let mut p = TrainParams::default();
    p.model = ModelSpec::Lenet {
        activation: ActivationKind::Relu,
    };
    p.sgd.lr = 0.02;
    p.sgd.schedule = LrSchedule::Constant;
    p.sgd.batch_size = 64;
    p.sgd.epochs = 1;
    p.log = Some(LogParams {
        n_tracked: 10,
        full_every: 0,
    });
    let cfg = p.check(&train).unwrap();
    assert_eq!(cfg.n_params, 44_426);
    let mut tr = Trainer::new(cfg, train).unwrap();
    let before = tr.evaluate(&test).unwrap();
    tr.run(u64::MAX).unwrap();
    let after = tr.evaluate(&test).unwrap();
    assert!(
        after.loss < before.loss && after.accuracy > 0.6,
        "{before:?} → {after:?}"
    );
}

#[test]
fn other_datasets_train() {
    // Non-image table.
    let bc = tabular::decode_breast_cancer(&asset("breast-cancer.csv")).unwrap();
    assert_eq!((bc.n(), bc.d(), bc.n_classes), (569, 30, 2));
    let wine = tabular::decode_wine(&asset("wine.csv")).unwrap();
    assert_eq!((wine.n(), wine.d(), wine.n_classes), (178, 13, 3));
    // Synthetic.
    let gm = synthetic::gaussian_mixture(&synthetic::MixtureParams {
        n: 1000,
        d: 10,
        n_classes: 3,
        separation: 1.0,
        seed: 0,
    })
    .unwrap();
    let te = synthetic::teacher(&synthetic::TeacherParams {
        n: 1000,
        d: 10,
        n_classes: 3,
        hidden: 20,
        seed: 0,
    })
    .unwrap();
    for (ds, min_acc) in [(bc, 0.9), (gm, 0.8), (te, 0.7)] {
        let (train, test) = prepare(&ds, &PrepareParams::default()).unwrap();
        for loss in [LossKind::CrossEntropy, LossKind::Mse] {
            let mut p = TrainParams::default();
            p.model = ModelSpec::Fcn {
                hidden: vec![32],
                activation: ActivationKind::Tanh,
            };
            p.loss = loss;
            p.sgd.lr = 0.02;
            p.sgd.schedule = LrSchedule::Constant;
            p.sgd.batch_size = 16;
            p.sgd.epochs = 20;
            p.log = None;
            let mut tr = Trainer::new(p.check(&train).unwrap(), train.clone()).unwrap();
            tr.run(u64::MAX).unwrap();
            let ev = tr.evaluate(&test).unwrap();
            assert!(ev.accuracy > min_acc, "{} {loss:?}: {ev:?}", ds.name);
        }
    }
}

#[test]
fn label_manipulations_in_prepare_touch_only_training_labels() {
    let bytes = asset("mnist-10k.bin.gz");
    let all = mnist::decode(&bytes).unwrap();
    let clean = prepare(&all, &mnist::default_prepare(3)).unwrap();
    let mut p = mnist::default_prepare(3);
    p.label_noise = 0.4;
    let noisy = prepare(&all, &p).unwrap();
    assert_eq!(clean.1, noisy.1);
    let changed = clean.0.y.iter().zip(&noisy.0.y).filter(|(a, b)| a != b).count();
    assert!((changed as f64 / 8000.0 - 0.4).abs() < 0.03);
    p.label_noise = 0.0;
    p.random_labels = true;
    let random = prepare(&all, &p).unwrap();
    assert_eq!(random.0.class_counts(), clean.0.class_counts());
    assert_eq!(random.0.x(), clean.0.x());
}

#[test]
fn corrupt_and_truncated_mnist_bytes_are_typed_errors() {
    let bytes = asset("mnist-10k.bin.gz");
    for cut in [0, 1, 10, 100, 1000, bytes.len() / 2, bytes.len() - 1] {
        assert!(mnist::decode(&bytes[..cut]).is_err(), "cut {cut}");
    }
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0xff;
    assert!(mnist::decode(&flipped).is_err());
    // The digits asset is a valid SGNI file but not MNIST-shaped.
    assert!(mnist::decode(&asset("digits-8x8.bin.gz")).is_err());
    let down = images::downsample(&mnist::decode(&bytes).unwrap(), 2).unwrap();
    assert_eq!(down.d(), 196);
}

#[test]
fn f32_and_f64_measurements_agree() {
    let (train, _) = digits();
    let run = |precision| {
        let mut p = TrainParams::default();
        p.sgd.epochs = 1;
        p.sgd.precision = precision;
        p.log = Some(LogParams {
            n_tracked: 20,
            full_every: 10,
        });
        let mut tr = Trainer::new(p.check(&train).unwrap(), train.clone()).unwrap();
        tr.run(11).unwrap();
        let ps = tr.per_sample_grads(&[3, 5, 8]).unwrap().to_dense();
        (
            tr.full_batch_grad().unwrap(),
            tr.log().unwrap().clone(),
            ps,
            tr.fingerprint(),
        )
    };
    let (f32_full, f32_log, f32_ps, f32_fp) = run(Precision::F32);
    let (f64_full, f64_log, f64_ps, f64_fp) = run(Precision::F64);
    // Training is f32 either way: identical trajectories and tracked parameters.
    assert_eq!(f32_fp, f64_fp);
    assert_eq!(f32_log.tracked, f64_log.tracked);
    assert_eq!(f32_log.tracked_grads, f64_log.tracked_grads);
    assert!(
        rel(&f32_full.grad, &f64_full.grad) < 1e-5,
        "{}",
        rel(&f32_full.grad, &f64_full.grad)
    );
    assert!(rel(f32_ps.as_slice().unwrap(), f64_ps.as_slice().unwrap()) < 1e-5);
    for (a, b) in f32_log.snapshots.iter().zip(&f64_log.snapshots) {
        assert_eq!(a.g, b.g);
        assert!(rel(&a.xi, &b.xi) < 1e-4, "{}", rel(&a.xi, &b.xi));
        // Exact zeros (pixels constant on the training set) are exact in both.
        let z32 = a.full.iter().filter(|v| **v == 0.0).count();
        let z64 = b.full.iter().filter(|v| **v == 0.0).count();
        assert_eq!(z32, z64);
    }
}

#[test]
fn every_dataset_spec_loads_from_its_asset() {
    use sgn_lab::data::DatasetSpec;
    for (spec, n, d) in [
        (DatasetSpec::Mnist { downsample: 1 }, 10_000, 784),
        (DatasetSpec::Mnist { downsample: 2 }, 10_000, 196),
        (DatasetSpec::Digits8x8, 1797, 64),
        (DatasetSpec::BreastCancer, 569, 30),
        (DatasetSpec::Wine, 178, 13),
    ] {
        let bytes = asset(spec.asset().unwrap());
        let ds = spec.load(Some(&bytes)).unwrap();
        assert_eq!((ds.n(), ds.d()), (n, d), "{spec:?}");
        let (train, test) = prepare(&ds, &spec.default_prepare(0)).unwrap();
        assert_eq!(train.n() + test.n(), n);
    }
}
