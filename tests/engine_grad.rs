//! Gradient correctness in f64: finite differences for every layer type and loss, per-sample
//! gradients against single-sample backprop and finite differences, their mean against the
//! full-batch gradient, and the SGN mean over many minibatch draws.

use rand::RngExt;
use rand_distr::StandardNormal;
use sgn_lab::data::{Dataset, ImageShape};
use sgn_lab::nn::grad::{full_batch_grad, mean_grad, minibatch_grad, per_sample_grads, sgn_with_full};
use sgn_lab::nn::{
    draw_minibatch, Activation, ActivationKind, Conv2d, Dense, InitKind, Layer, LossKind, MaxPool2, ModelSpec, Network,
    Tape,
};
use sgn_lab::rng::seeded;

fn random_net(layers: Vec<Layer>, seed: u64, scale: f64) -> Network<f64> {
    let mut net = Network::<f64>::zeros(layers).unwrap();
    let mut rng = seeded(seed);
    for p in net.params.iter_mut() {
        let z: f64 = rng.sample(StandardNormal);
        *p = scale * z;
    }
    net
}

fn random_data(n: usize, d: usize, k: usize, image: Option<ImageShape>, seed: u64) -> Dataset {
    let mut rng = seeded(seed);
    let x: Vec<f32> = (0..n * d)
        .map(|_| rng.sample::<f64, _>(StandardNormal) as f32)
        .collect();
    let y: Vec<u32> = (0..n).map(|_| rng.random_range(0..k as u32)).collect();
    Dataset::new("random", d, k, x, y, image).unwrap()
}

fn mean_loss(net: &Network<f64>, ds: &Dataset, idx: &[usize], loss: LossKind) -> f64 {
    let mut x = Vec::new();
    let mut y = Vec::new();
    sgn_lab::nn::grad::gather(ds, idx, &mut x, &mut y);
    let mut tape = Tape::default();
    net.loss_batch(&x, &y, loss, &mut tape).0 / idx.len() as f64
}

/// Central finite differences of the mean loss over `idx` for the parameters `which`.
fn fd_grad(net: &Network<f64>, ds: &Dataset, idx: &[usize], loss: LossKind, which: &[usize]) -> Vec<f64> {
    let h = 1e-6;
    let mut n = net.clone();
    which
        .iter()
        .map(|&i| {
            let v = n.params[i];
            n.params[i] = v + h;
            let lp = mean_loss(&n, ds, idx, loss);
            n.params[i] = v - h;
            let lm = mean_loss(&n, ds, idx, loss);
            n.params[i] = v;
            (lp - lm) / (2.0 * h)
        })
        .collect()
}

fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt();
    let den: f64 = a
        .iter()
        .map(|x| x * x)
        .sum::<f64>()
        .sqrt()
        .max(b.iter().map(|x| x * x).sum::<f64>().sqrt());
    num / den.max(1e-300)
}

fn assert_close_coordinatewise(analytic: &[f64], fd: &[f64], what: &str) {
    let r = rel_err(analytic, fd);
    assert!(r < 1e-5, "{what}: relative error {r:e}");
    for (i, (a, f)) in analytic.iter().zip(fd).enumerate() {
        let tol = 1e-5 * a.abs().max(f.abs()) + 1e-8;
        assert!((a - f).abs() <= tol, "{what}: coordinate {i}: analytic {a} vs fd {f}");
    }
}

fn check_all_params(net: &Network<f64>, ds: &Dataset, loss: LossKind, what: &str) {
    let idx: Vec<usize> = (0..ds.n()).collect();
    let analytic = mean_grad(net, ds, &idx, loss).unwrap().grad;
    let which: Vec<usize> = (0..net.n_params()).collect();
    let fd = fd_grad(net, ds, &idx, loss, &which);
    assert_close_coordinatewise(&analytic, &fd, what);
}

fn fcn(sizes: &[usize], act: ActivationKind) -> Vec<Layer> {
    let mut layers = Vec::new();
    for w in sizes.windows(2) {
        if !layers.is_empty() {
            layers.push(Layer::Activation(Activation { kind: act, size: w[0] }));
        }
        layers.push(Layer::Dense(Dense {
            fan_in: w[0],
            fan_out: w[1],
        }));
    }
    layers
}

fn small_convnet(act: ActivationKind) -> Vec<Layer> {
    // 1×8×8 → conv3 (2 ch) → act → conv3 (3 ch) → act → pool → 3×2×2 → dense 12→4
    let c1 = Conv2d {
        in_c: 1,
        out_c: 2,
        k: 3,
        in_h: 8,
        in_w: 8,
    };
    let c2 = Conv2d {
        in_c: 2,
        out_c: 3,
        k: 3,
        in_h: 6,
        in_w: 6,
    };
    vec![
        Layer::Conv(c1),
        Layer::Activation(Activation {
            kind: act,
            size: c1.out_size(),
        }),
        Layer::Conv(c2),
        Layer::Activation(Activation {
            kind: act,
            size: c2.out_size(),
        }),
        Layer::Pool(MaxPool2 { c: 3, h: 4, w: 4 }),
        Layer::Dense(Dense { fan_in: 12, fan_out: 4 }),
    ]
}

const IMG8: Option<ImageShape> = Some(ImageShape {
    channels: 1,
    rows: 8,
    cols: 8,
});

#[test]
fn finite_differences_dense_relu_and_tanh_with_both_losses() {
    let ds = random_data(6, 5, 3, None, 1);
    for act in [ActivationKind::Relu, ActivationKind::Tanh] {
        for loss in [LossKind::CrossEntropy, LossKind::Mse] {
            let net = random_net(fcn(&[5, 7, 6, 3], act), 2, 0.7);
            check_all_params(&net, &ds, loss, &format!("fcn {act:?} {loss:?}"));
        }
    }
}

#[test]
fn finite_differences_conv_pool_with_both_losses() {
    let ds = random_data(4, 64, 4, IMG8, 3);
    for act in [ActivationKind::Relu, ActivationKind::Tanh] {
        for loss in [LossKind::CrossEntropy, LossKind::Mse] {
            let net = random_net(small_convnet(act), 4, 0.5);
            check_all_params(&net, &ds, loss, &format!("convnet {act:?} {loss:?}"));
        }
    }
}

#[test]
fn finite_differences_lenet_sampled_parameters() {
    let img = Some(ImageShape {
        channels: 1,
        rows: 28,
        cols: 28,
    });
    let ds = random_data(3, 784, 10, img, 5);
    let spec = ModelSpec::Lenet {
        activation: ActivationKind::Relu,
    };
    let mut net = Network::<f64>::init(&spec, 784, img, 10, InitKind::He, 6).unwrap();
    // Non-zero biases so that their gradients are exercised too.
    let mut rng = seeded(7);
    for p in net.params.iter_mut() {
        *p += 0.01 * rng.sample::<f64, _>(StandardNormal);
    }
    assert_eq!(net.n_params(), 44_426);
    let idx = [0usize, 1, 2];
    let analytic = mean_grad(&net, &ds, &idx, LossKind::CrossEntropy).unwrap().grad;
    // 40 parameters from every block (weights and biases of each layer).
    let mut which = Vec::new();
    for (_, r) in net.param_blocks() {
        let len = r.end - r.start;
        for _ in 0..40 {
            which.push(r.start + rng.random_range(0..len));
        }
    }
    let fd = fd_grad(&net, &ds, &idx, LossKind::CrossEntropy, &which);
    let sel: Vec<f64> = which.iter().map(|&i| analytic[i]).collect();
    assert_close_coordinatewise(&sel, &fd, "lenet");
}

#[test]
fn per_sample_rows_equal_single_sample_backprop_and_finite_differences() {
    for (layers, d, k, image) in [
        (fcn(&[5, 8, 3], ActivationKind::Tanh), 5, 3, None),
        (small_convnet(ActivationKind::Relu), 64, 4, IMG8),
    ] {
        let ds = random_data(7, d, k, image, 8);
        let net = random_net(layers, 9, 0.5);
        let idx: Vec<usize> = (0..ds.n()).collect();
        let ps = per_sample_grads(&net, &ds, &idx, LossKind::CrossEntropy).unwrap();
        assert_eq!((ps.n, ps.p()), (7, net.n_params()));
        let dense_m = ps.to_dense();
        let dense = dense_m.as_slice().unwrap();
        let p = net.n_params();
        let all: Vec<usize> = (0..p).collect();
        for j in 0..ds.n() {
            let single = mean_grad(&net, &ds, &[j], LossKind::CrossEntropy).unwrap().grad;
            let row = &dense[j * p..(j + 1) * p];
            assert!(rel_err(row, &single) < 1e-12, "sample {j}: {}", rel_err(row, &single));
            let fd = fd_grad(&net, &ds, &[j], LossKind::CrossEntropy, &all);
            assert_close_coordinatewise(row, &fd, &format!("per-sample row {j}"));
            for i in (0..p).step_by(7) {
                assert_eq!(ps.get(j, i), Some(row[i]));
            }
        }
        assert_eq!(ps.get(ds.n(), 0), None);
        assert_eq!(ps.get(0, p), None);
    }
}

#[test]
fn mean_of_per_sample_gradients_is_the_full_batch_gradient() {
    for (layers, d, k, image) in [
        (fcn(&[6, 10, 10, 4], ActivationKind::Relu), 6, 4, None),
        (small_convnet(ActivationKind::Tanh), 64, 4, IMG8),
    ] {
        let ds = random_data(1100, d, k, image, 10);
        let net = random_net(layers, 11, 0.4);
        let idx: Vec<usize> = (0..ds.n()).collect();
        let ps = per_sample_grads(&net, &ds, &idx, LossKind::CrossEntropy).unwrap();
        let full = full_batch_grad(&net, &ds, LossKind::CrossEntropy).unwrap();
        let r = rel_err(&ps.mean(), &full.grad);
        assert!(r < 1e-12, "relative error {r:e}");
    }
}

#[test]
fn sgn_has_mean_zero_over_many_draws() {
    let ds = random_data(300, 6, 3, None, 12);
    let net = random_net(fcn(&[6, 10, 3], ActivationKind::Relu), 13, 0.6);
    let full = full_batch_grad(&net, &ds, LossKind::CrossEntropy).unwrap();
    let mut rng = seeded(14);
    let draws = 2000;
    let p = net.n_params();
    let mut mean = vec![0.0; p];
    let mut sq = 0.0;
    for _ in 0..draws {
        let b = draw_minibatch(ds.n(), 16, &mut rng).unwrap();
        let s = sgn_with_full(&net, &ds, &b, LossKind::CrossEntropy, &full).unwrap();
        // ξ = g_B − ∇L exactly.
        let g = minibatch_grad(&net, &ds, &b, LossKind::CrossEntropy).unwrap().grad;
        assert!(rel_err(&s.g_batch, &g) == 0.0);
        for ((m, x), (gb, f)) in mean.iter_mut().zip(&s.xi).zip(s.g_batch.iter().zip(&s.full)) {
            assert_eq!(*x, gb - f);
            *m += x / draws as f64;
        }
        sq += s.xi.iter().map(|x| x * x).sum::<f64>() / draws as f64;
    }
    // ‖E ξ‖ is O(‖ξ‖_rms / √M): check it is below 5 / √M of the RMS norm.
    let mean_norm = mean.iter().map(|x| x * x).sum::<f64>().sqrt();
    let rms = sq.sqrt();
    assert!(
        mean_norm < 5.0 / (draws as f64).sqrt() * rms,
        "‖mean ξ‖ = {mean_norm}, rms ‖ξ‖ = {rms}"
    );
    assert!(mean_norm > 0.0);
}

#[test]
fn index_and_shape_errors_are_typed() {
    let ds = random_data(5, 5, 3, None, 1);
    let net = random_net(fcn(&[5, 4, 3], ActivationKind::Relu), 2, 0.5);
    assert!(per_sample_grads(&net, &ds, &[5], LossKind::CrossEntropy).is_err());
    assert!(per_sample_grads(&net, &ds, &[], LossKind::CrossEntropy).is_err());
    let other = random_data(5, 6, 3, None, 1);
    assert!(full_batch_grad(&net, &other, LossKind::CrossEntropy).is_err());
    assert!(draw_minibatch(5, 6, &mut seeded(0)).is_err());
}
