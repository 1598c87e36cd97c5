//! Every CUDA kernel family against the CPU, forward and backward, on sizes that are
//! and are not multiples of the block size, and on empty inputs.
//!
//! The CPU side is the real thing: autodiff's primitives (forward, and backward seeded
//! with a random gradient), the `kernels` CPU reductions and GEMM, autodiff's
//! optimisers and its Philox stream. References are computed in f64 from the very
//! inputs the device gets (f32 inputs widened); device results must be within
//! `tolerance::<T>() * (1 + scale)`, `scale` being the magnitude of the terms that were
//! summed (`|reference|` for elementwise work). Optimiser steps and the Philox bits and
//! uniforms must match bit for bit.
//!
//! Without a device each test computes its references, prints `SKIPPED: no CUDA
//! device` and passes; with `REQUIRE_GPU=1` it fails instead.
#![cfg(feature = "cuda")]

use autodiff::optim::{Adam, AdamConfig, Optimizer, Sgd, SgdConfig, WeightDecay};
use autodiff::{Key, Tensor};
use kernels::cuda::{
    AdamStep, BinaryOp, CudaError, Device, DeviceBuffer, GemmBatch, GpuElement, Operand, ReduceOp, SgdStep,
    SoftmaxKind, UnaryOp,
};
use kernels::{Element, MatLayout};
use ndarray::{ArrayD, IxDyn};
use std::sync::OnceLock;

// ---------------------------------------------------------------- harness

/// The shared device, or `None` (after printing why) when there is none and
/// `REQUIRE_GPU=1` is not set.
fn device(test: &str) -> Option<&'static Device> {
    static DEVICE: OnceLock<Result<Device, String>> = OnceLock::new();
    let opened = DEVICE.get_or_init(|| {
        let opened = Device::new(0).map_err(|e| e.to_string());
        if let Err(e) = &opened {
            println!("no CUDA device: {e}");
        }
        opened
    });
    match opened {
        Ok(d) => Some(d),
        Err(e) if std::env::var("REQUIRE_GPU").as_deref() == Ok("1") => {
            panic!("{test}: REQUIRE_GPU=1 but there is no usable CUDA device: {e}")
        }
        Err(_) => {
            println!("SKIPPED: no CUDA device ({test} parity: CPU references only)");
            None
        }
    }
}

/// Relative tolerance of device results against the f64 CPU reference.
fn tolerance<T: Element>() -> f64 {
    if T::DTYPE == "f32" {
        3e-5
    } else {
        1e-11
    }
}

/// Element counts: around the 256-thread block, empty, and two drawn from `key`.
fn sizes(key: Key) -> Vec<usize> {
    let drawn = key.bits(2).into_iter().map(|w| 1 + w as usize % 5000);
    [0, 1, 255, 256, 257, 1000].into_iter().chain(drawn).collect()
}

/// `n` uniform values in `[lo, hi)` rounded to `T`, and the same values in f64.
fn values<T: Element>(key: Key, n: usize, lo: f64, hi: f64) -> (Vec<T>, Vec<f64>) {
    let t: Vec<T> = key.uniform_f64(n).into_iter().map(|u| T::from_f64_lossy(lo + (hi - lo) * u)).collect();
    let wide = t.iter().map(|v| v.to_f64_lossless()).collect();
    (t, wide)
}

fn array(shape: &[usize], data: Vec<f64>) -> ArrayD<f64> {
    ArrayD::from_shape_vec(IxDyn(shape), data).expect("data fills the shape")
}

fn param(shape: &[usize], data: &[f64]) -> Tensor<f64> {
    Tensor::param(array(shape, data.to_vec()))
}

/// The gradient of a parameter as a vector (empty if none was computed).
fn grad(t: &Tensor<f64>) -> Vec<f64> {
    t.grad().map(|g| g.iter().copied().collect()).unwrap_or_default()
}

/// Checks `|got - want| <= tol (1 + scale)` element by element (equal values, infinities
/// included, always pass).
fn assert_close_scaled<T: Element>(what: &str, got: &[T], want: &[f64], scale: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: device gave {} values, CPU {}", got.len(), want.len());
    let tol = tolerance::<T>();
    for (i, ((g, &w), &s)) in got.iter().zip(want).zip(scale).enumerate() {
        let g = g.to_f64_lossless();
        let ok = g == w || (g - w).abs() <= tol * (1.0 + s.abs()) || (g.is_nan() && w.is_nan());
        assert!(ok, "{what} ({}): element {i}: device {g}, CPU {w} (tolerance {tol} x (1 + {s}))", T::DTYPE);
    }
}

fn assert_close<T: Element>(what: &str, got: &[T], want: &[f64]) {
    assert_close_scaled(what, got, want, want);
}

fn assert_bits<T: Element>(what: &str, got: &[T], want: &[T]) {
    assert_eq!(got.len(), want.len(), "{what}: device gave {} values, CPU {}", got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(g == w || (g.is_nan() && w.is_nan()), "{what} ({}): element {i}: device {g}, CPU {w}", T::DTYPE);
    }
}

fn upload<T: GpuElement>(dev: &Device, host: &[T]) -> Result<DeviceBuffer<T>, CudaError> {
    dev.upload(host)
}

// ---------------------------------------------------------------- unary maps

fn apply_unary(op: UnaryOp, x: &Tensor<f64>) -> Tensor<f64> {
    match op {
        UnaryOp::Exp => x.exp(),
        UnaryOp::Log => x.log(),
        UnaryOp::Sqrt => x.sqrt(),
        UnaryOp::Abs => x.abs(),
        UnaryOp::Relu => x.relu(),
        UnaryOp::Sigmoid => x.sigmoid(),
        UnaryOp::Tanh => x.tanh(),
        UnaryOp::Silu => x.silu(),
        UnaryOp::Softplus => x.softplus(),
        UnaryOp::Neg => x.neg(),
        UnaryOp::Square => x.square(),
        UnaryOp::Powf(p) => x.powf(p),
        UnaryOp::AddScalar(c) => x.add_scalar(c),
        UnaryOp::MulScalar(c) => x.mul_scalar(c),
    }
}

fn unary_parity<T: GpuElement>(dev: Option<&Device>) -> Result<(), CudaError> {
    for (i, &op) in UnaryOp::EXAMPLES.iter().enumerate() {
        let key = Key::new(1).fold_in(i as u64);
        let positive = matches!(op, UnaryOp::Log | UnaryOp::Sqrt | UnaryOp::Powf(_));
        for n in sizes(key) {
            let (x, x64) = values::<T>(key.fold_in(n as u64), n, if positive { 0.1 } else { -4.0 }, 4.0);
            let (g, g64) = values::<T>(key.fold_in(n as u64 + 1), n, -1.0, 1.0);
            let xt = param(&[n], &x64);
            let yt = apply_unary(op, &xt);
            yt.backward_with(array(&[n], g64));
            let Some(dev) = dev else { continue };
            let what = format!("{op:?} n={n}");
            let xd = upload(dev, &x)?;
            let mut yd = dev.zeros(n)?;
            dev.unary_forward(op, &xd, &mut yd)?;
            let (gd, mut dxd) = (upload(dev, &g)?, dev.zeros(n)?);
            dev.unary_backward(op, &xd, &yd, &gd, &mut dxd)?;
            assert_close(&format!("{what} forward"), &yd.to_host()?, &yt.to_vec());
            assert_close(&format!("{what} backward"), &dxd.to_host()?, &grad(&xt));
        }
    }
    Ok(())
}

#[test]
fn unary_maps_match_cpu() -> Result<(), CudaError> {
    let dev = device("unary");
    unary_parity::<f64>(dev)?;
    unary_parity::<f32>(dev)
}

// ---------------------------------------------------------------- broadcasting binary maps

fn apply_binary(op: BinaryOp, a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    match op {
        BinaryOp::Add => a.add(b),
        BinaryOp::Sub => a.sub(b),
        BinaryOp::Mul => a.mul(b),
        BinaryOp::Div => a.div(b),
    }
}

fn binary_parity<T: GpuElement>(dev: Option<&Device>) -> Result<(), CudaError> {
    let mut shapes: Vec<(Vec<usize>, Vec<usize>)> =
        sizes(Key::new(2)).into_iter().map(|n| (vec![n], vec![n])).collect();
    shapes.extend([
        (vec![3, 1, 5], vec![4, 1]),
        (vec![2, 300], vec![300]),
        (vec![1000, 3], vec![1, 3]),
        (vec![], vec![7]),
        (vec![5, 1, 1], vec![1, 6, 7]),
        (vec![0, 3], vec![3]),
        (vec![2, 257, 1], vec![2, 1, 3]),
    ]);
    for (i, (a_shape, b_shape)) in shapes.iter().enumerate() {
        let (na, nb) = (a_shape.iter().product::<usize>(), b_shape.iter().product::<usize>());
        let out_shape = kernels::map::broadcast_shape(a_shape, b_shape).expect("test shapes broadcast");
        let n = out_shape.iter().product::<usize>();
        let key = Key::new(3).fold_in(i as u64);
        let (a, a64) = values::<T>(key.fold_in(0), na, -2.0, 2.0);
        let (b, b64) = values::<T>(key.fold_in(1), nb, 0.5, 2.0);
        let (g, g64) = values::<T>(key.fold_in(2), n, -1.0, 1.0);
        for op in BinaryOp::ALL {
            let (at, bt) = (param(a_shape, &a64), param(b_shape, &b64));
            let yt = apply_binary(op, &at, &bt);
            yt.backward_with(array(&out_shape, g64.clone()));
            // A gradient element sums n / (operand size) terms g df, each at most 8 in size.
            let terms = |len: usize| vec![8.0 * n as f64 / len.max(1) as f64; len];
            let (scale_a, scale_b) = (terms(na), terms(nb));
            let Some(dev) = dev else { continue };
            let what = format!("{op:?} {a_shape:?} with {b_shape:?}");
            let (ad, bd, gd) = (upload(dev, &a)?, upload(dev, &b)?, upload(dev, &g)?);
            let mut yd = dev.zeros(n)?;
            assert_eq!(dev.binary_forward(op, &ad, a_shape, &bd, b_shape, &mut yd)?, out_shape);
            assert_close(&format!("{what} forward"), &yd.to_host()?, &yt.to_vec());
            for (operand, len, want, scale) in
                [(Operand::A, na, grad(&at), scale_a), (Operand::B, nb, grad(&bt), scale_b)]
            {
                let mut dd = dev.zeros(len)?;
                dev.binary_backward(op, operand, &ad, a_shape, &bd, b_shape, &gd, &mut dd)?;
                let want = if want.is_empty() { vec![0.0; len] } else { want };
                assert_close_scaled(&format!("{what} d{operand:?}"), &dd.to_host()?, &want, &scale);
            }
        }
    }
    Ok(())
}

#[test]
fn broadcasting_binary_maps_match_cpu() -> Result<(), CudaError> {
    let dev = device("binary");
    binary_parity::<f64>(dev)?;
    binary_parity::<f32>(dev)
}

// ---------------------------------------------------------------- reductions

/// Shapes with the reduced axis, covering long, short, empty and strided lanes.
fn axis_cases() -> Vec<(Vec<usize>, usize)> {
    vec![
        (vec![3, 1000, 1], 1),
        (vec![2, 257, 3], 1),
        (vec![7, 255], 1),
        (vec![1, 1, 1], 1),
        (vec![0, 5, 2], 1),
        (vec![4, 0, 3], 1),
        (vec![5, 3, 300], 1),
        (vec![600, 2], 0),
        (vec![2, 3, 4, 70], 3),
        (vec![4099], 0),
    ]
}

fn lanes_out(shape: &[usize], axis: usize) -> usize {
    shape.iter().enumerate().filter(|&(i, _)| i != axis).map(|(_, &d)| d).product()
}

fn reduce_parity<T: GpuElement>(dev: Option<&Device>) -> Result<(), CudaError> {
    for (i, (shape, axis)) in axis_cases().into_iter().enumerate() {
        let (n, m) = (shape.iter().product::<usize>(), lanes_out(&shape, axis));
        let (x, x64) = values::<T>(Key::new(4).fold_in(i as u64), n, -1.0, 1.0);
        let (mut sum, mut max, mut scale) = (vec![0.0; m], vec![0.0; m], vec![0.0; m]);
        kernels::reduce::sum_axis(&x64, &shape, axis, &mut sum);
        kernels::reduce::max_axis(&x64, &shape, axis, &mut max);
        let abs: Vec<f64> = x64.iter().map(|v| v.abs()).collect();
        kernels::reduce::sum_axis(&abs, &shape, axis, &mut scale);
        let Some(dev) = dev else { continue };
        let xd = upload(dev, &x)?;
        for (op, want, scale) in [(ReduceOp::Sum, &sum, &scale), (ReduceOp::Max, &max, &max)] {
            let (mut first, mut second) = (dev.zeros(m)?, dev.zeros(m)?);
            dev.reduce_axis(op, &xd, &shape, axis, &mut first)?;
            dev.reduce_axis(op, &xd, &shape, axis, &mut second)?;
            let what = format!("{op:?} of {shape:?} over axis {axis}");
            let got = first.to_host()?;
            assert_close_scaled(&what, &got, want, scale);
            assert_bits(&format!("{what}, run twice"), &got, &second.to_host()?);
        }
    }
    Ok(())
}

#[test]
fn reductions_match_cpu_and_repeat_bit_for_bit() -> Result<(), CudaError> {
    let dev = device("reduce");
    reduce_parity::<f64>(dev)?;
    reduce_parity::<f32>(dev)
}

// ---------------------------------------------------------------- softmax family

fn softmax_parity<T: GpuElement>(dev: Option<&Device>) -> Result<(), CudaError> {
    for (i, (shape, axis)) in axis_cases().into_iter().enumerate() {
        let (n, m) = (shape.iter().product::<usize>(), lanes_out(&shape, axis));
        let key = Key::new(5).fold_in(i as u64);
        let (x, x64) = values::<T>(key.fold_in(0), n, -5.0, 5.0);
        let (g, g64) = values::<T>(key.fold_in(1), n, -1.0, 1.0);
        let (gl, gl64) = values::<T>(key.fold_in(2), m, -1.0, 1.0);
        let len_scale = vec![shape[axis] as f64; n];
        for kind in [SoftmaxKind::Softmax, SoftmaxKind::LogSoftmax] {
            let xt = param(&shape, &x64);
            let yt =
                if kind == SoftmaxKind::Softmax { xt.softmax(axis as isize) } else { xt.log_softmax(axis as isize) };
            yt.backward_with(array(&shape, g64.clone()));
            let Some(dev) = dev else { continue };
            let what = format!("{kind:?} of {shape:?} over axis {axis}");
            let (xd, gd) = (upload(dev, &x)?, upload(dev, &g)?);
            let (mut yd, mut dxd) = (dev.zeros(n)?, dev.zeros(n)?);
            dev.softmax_axis(kind, &xd, &shape, axis, &mut yd)?;
            dev.softmax_axis_backward(kind, &yd, &gd, &shape, axis, &mut dxd)?;
            assert_close(&format!("{what} forward"), &yd.to_host()?, &yt.to_vec());
            assert_close_scaled(&format!("{what} backward"), &dxd.to_host()?, &grad(&xt), &len_scale);
        }
        let xt = param(&shape, &x64);
        let lse = xt.logsumexp(axis as isize, false);
        let lane_shape: Vec<usize> = shape.iter().enumerate().filter(|&(j, _)| j != axis).map(|(_, &d)| d).collect();
        lse.backward_with(array(&lane_shape, gl64));
        let Some(dev) = dev else { continue };
        let what = format!("logsumexp of {shape:?} over axis {axis}");
        let (xd, gd) = (upload(dev, &x)?, upload(dev, &gl)?);
        let (mut out, mut dxd) = (dev.zeros(m)?, dev.zeros(n)?);
        dev.logsumexp_axis(&xd, &shape, axis, &mut out)?;
        dev.logsumexp_axis_backward(&xd, &out, &gd, &shape, axis, &mut dxd)?;
        assert_close(&format!("{what} forward"), &out.to_host()?, &lse.to_vec());
        assert_close(&format!("{what} backward"), &dxd.to_host()?, &grad(&xt));
    }
    Ok(())
}

#[test]
fn softmax_log_softmax_logsumexp_match_cpu() -> Result<(), CudaError> {
    let dev = device("softmax");
    softmax_parity::<f64>(dev)?;
    softmax_parity::<f32>(dev)
}

// ---------------------------------------------------------------- layer norm

fn layernorm_parity<T: GpuElement>(dev: Option<&Device>) -> Result<(), CudaError> {
    let eps = 1e-5;
    for (i, (rows, cols)) in [(0, 5), (1, 1), (3, 1000), (300, 7), (2, 257), (5, 256)].into_iter().enumerate() {
        let n = rows * cols;
        let key = Key::new(6).fold_in(i as u64);
        let (x, x64) = values::<T>(key.fold_in(0), n, -3.0, 3.0);
        let (g, g64) = values::<T>(key.fold_in(1), n, -1.0, 1.0);
        let xt = param(&[rows, cols], &x64);
        let yt = xt.layer_norm(eps);
        yt.backward_with(array(&[rows, cols], g64));
        let Some(dev) = dev else { continue };
        let what = format!("layer norm of [{rows}, {cols}]");
        let (xd, gd) = (upload(dev, &x)?, upload(dev, &g)?);
        let (mut yd, mut dxd) = (dev.zeros(n)?, dev.zeros(n)?);
        dev.layernorm_rows(&xd, cols, eps, &mut yd)?;
        dev.layernorm_rows_backward(&xd, &yd, &gd, cols, eps, &mut dxd)?;
        assert_close(&format!("{what} forward"), &yd.to_host()?, &yt.to_vec());
        assert_close(&format!("{what} backward"), &dxd.to_host()?, &grad(&xt));
    }
    Ok(())
}

#[test]
fn layer_norm_matches_cpu() -> Result<(), CudaError> {
    let dev = device("layernorm");
    layernorm_parity::<f64>(dev)?;
    layernorm_parity::<f32>(dev)
}

// ---------------------------------------------------------------- optimisers

/// `(l2, shrink)` of a weight decay at learning rate `lr` (as `autodiff::optim`).
fn decay_terms(decay: WeightDecay, lr: f64) -> (f64, f64) {
    match decay {
        WeightDecay::None => (0.0, 1.0),
        WeightDecay::L2(wd) => (wd, 1.0),
        WeightDecay::Decoupled(wd) => (0.0, 1.0 - lr * wd),
    }
}

fn vector_param<T: autodiff::Float>(data: &[T]) -> Tensor<T> {
    Tensor::param(ArrayD::from_shape_vec(IxDyn(&[data.len()]), data.to_vec()).expect("a vector"))
}

/// Sets `p`'s gradient to exactly `g` (the VJP of `p * g` seeded with ones).
fn set_grad<T: GpuElement + autodiff::Float>(p: &Tensor<T>, g: &[T]) {
    p.zero_grad();
    let n = g.len();
    let y = p.mul(&Tensor::from_vec(&[n], g.to_vec()));
    y.backward_with(ArrayD::from_elem(IxDyn(&[n]), T::one()));
}

fn optim_parity<T: GpuElement + autodiff::Float>(dev: Option<&Device>) -> Result<(), CudaError> {
    let decays = [WeightDecay::None, WeightDecay::L2(0.01), WeightDecay::Decoupled(0.1)];
    for n in sizes(Key::new(7)) {
        for (d, &decay) in decays.iter().enumerate() {
            let key = Key::new(8).fold_in(n as u64).fold_in(d as u64);
            let (p0, _) = values::<T>(key, n, -1.0, 1.0);
            let grads: Vec<Vec<T>> = (0..3).map(|s| values::<T>(key.fold_in(s + 1), n, -1.0, 1.0).0).collect();
            let adam_config = AdamConfig { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: decay };
            let sgd_config = SgdConfig { lr: 0.05, momentum: 0.9, weight_decay: decay };
            let (pa, ps) = (vector_param(&p0), vector_param(&p0));
            let (mut adam, mut sgd) =
                (Adam::new(vec![pa.clone()], adam_config), Sgd::new(vec![ps.clone()], sgd_config));
            for g in &grads {
                set_grad(&pa, g);
                adam.step();
                set_grad(&ps, g);
                sgd.step();
            }
            assert!(n == 0 || (pa.to_vec() != p0 && ps.to_vec() != p0), "the CPU optimisers moved no parameter");
            let Some(dev) = dev else { continue };
            let (mut pa_d, mut m_d, mut v_d) = (upload(dev, &p0)?, dev.zeros(n)?, dev.zeros(n)?);
            let (mut ps_d, mut vel_d) = (upload(dev, &p0)?, dev.zeros(n)?);
            for (t, g) in grads.iter().enumerate() {
                let gd = upload(dev, g)?;
                let (l2, shrink) = decay_terms(decay, adam_config.lr);
                let c = adam_config;
                let step =
                    AdamStep { lr: c.lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps, l2, shrink, t: t as u64 + 1 };
                dev.adam_step(step, &mut pa_d, &gd, &mut m_d, &mut v_d)?;
                let (l2, shrink) = decay_terms(decay, sgd_config.lr);
                let step = SgdStep { lr: sgd_config.lr, momentum: sgd_config.momentum, l2, shrink };
                dev.sgd_step(step, &mut ps_d, &gd, &mut vel_d)?;
            }
            let what = format!("n={n} {decay:?} after 3 steps");
            let (adam_state, sgd_state) = (adam.state(), sgd.state());
            let buffer =
                |i: usize, s: &autodiff::optim::OptimizerState<T>| s.buffers[i].iter().copied().collect::<Vec<T>>();
            assert_bits(&format!("adam p {what}"), &pa_d.to_host()?, &pa.to_vec());
            assert_bits(&format!("adam m {what}"), &m_d.to_host()?, &buffer(0, &adam_state));
            assert_bits(&format!("adam v {what}"), &v_d.to_host()?, &buffer(1, &adam_state));
            assert_bits(&format!("sgd p {what}"), &ps_d.to_host()?, &ps.to_vec());
            assert_bits(&format!("sgd velocity {what}"), &vel_d.to_host()?, &buffer(0, &sgd_state));
        }
    }
    Ok(())
}

#[test]
fn optimiser_steps_match_cpu_bit_for_bit() -> Result<(), CudaError> {
    let dev = device("optim");
    optim_parity::<f64>(dev)?;
    optim_parity::<f32>(dev)
}

// ---------------------------------------------------------------- Philox

fn philox_parity<T: GpuElement + autodiff::Float>(dev: Option<&Device>) -> Result<(), CudaError> {
    for n in sizes(Key::new(9)) {
        let key = Key::new(10).fold_in(n as u64);
        let (bits, uniform, normal) = (key.bits(n), key.uniform::<T>(&[n], -2.0, 3.0), key.normal::<f64>(&[n]));
        let Some(dev) = dev else { continue };
        let (mut bits_d, mut uniform_d, mut normal_d) = (dev.zeros::<u32>(n)?, dev.zeros::<T>(n)?, dev.zeros::<T>(n)?);
        dev.philox_bits(key.0, &mut bits_d)?;
        dev.philox_uniform(key.0, -2.0, 3.0, &mut uniform_d)?;
        dev.philox_normal(key.0, &mut normal_d)?;
        assert_eq!(bits_d.to_host()?, bits, "philox bits n={n}");
        assert_bits(
            &format!("philox uniform n={n}"),
            &uniform_d.to_host()?,
            &uniform.iter().copied().collect::<Vec<T>>(),
        );
        assert_close(
            &format!("philox normal n={n}"),
            &normal_d.to_host()?,
            &normal.iter().copied().collect::<Vec<f64>>(),
        );
    }
    Ok(())
}

#[test]
fn philox_stream_matches_cpu() -> Result<(), CudaError> {
    let dev = device("philox");
    philox_parity::<f64>(dev)?;
    philox_parity::<f32>(dev)
}

// ---------------------------------------------------------------- GEMM

fn gemm_parity<T: GpuElement>(dev: Option<&Device>) -> Result<(), CudaError> {
    let (alpha, beta) = (1.5, 0.5);
    let mut cases = Vec::new();
    for (batch, m, k, n) in
        [(1, 1, 1, 1), (2, 3, 4, 5), (3, 17, 33, 9), (1, 2, 0, 3), (0, 2, 2, 2), (2, 0, 3, 4), (1, 300, 70, 257)]
    {
        for (a_transposed, b_transposed) in [(false, false), (true, false), (false, true), (true, true)] {
            for broadcast_a in [false, true] {
                let a_batch_stride = if broadcast_a { 0 } else { m * k };
                cases.push(GemmBatch {
                    batch,
                    m,
                    k,
                    n,
                    a_transposed,
                    b_transposed,
                    a_batch_stride,
                    b_batch_stride: k * n,
                });
            }
        }
    }
    for (i, dims) in cases.into_iter().enumerate() {
        let GemmBatch { batch, m, k, n, a_transposed, b_transposed, a_batch_stride, b_batch_stride } = dims;
        let key = Key::new(11).fold_in(i as u64);
        let na = if a_batch_stride == 0 { m * k } else { batch * m * k };
        let (a, a64) = values::<T>(key.fold_in(0), na, -1.0, 1.0);
        let (b, b64) = values::<T>(key.fold_in(1), batch * k * n, -1.0, 1.0);
        let (c, mut want) = values::<T>(key.fold_in(2), batch * m * n, -1.0, 1.0);
        let la = if a_transposed { MatLayout::row_major(k, m).t() } else { MatLayout::row_major(m, k) };
        let lb = if b_transposed { MatLayout::row_major(n, k).t() } else { MatLayout::row_major(k, n) };
        kernels::batched_gemm(
            batch,
            alpha,
            &a64,
            la,
            a_batch_stride,
            &b64,
            lb,
            b_batch_stride,
            beta,
            &mut want,
            MatLayout::row_major(m, n),
        );
        let Some(dev) = dev else { continue };
        let (ad, bd, mut cd) = (upload(dev, &a)?, upload(dev, &b)?, upload(dev, &c)?);
        dev.gemm(dims, T::from_f64_lossy(alpha), &ad, &bd, T::from_f64_lossy(beta), &mut cd)?;
        assert_close_scaled(&format!("gemm {dims:?}"), &cd.to_host()?, &want, &vec![2.0 * k as f64; want.len()]);
    }
    Ok(())
}

#[test]
fn gemm_matches_cpu() -> Result<(), CudaError> {
    let dev = device("gemm");
    gemm_parity::<f64>(dev)?;
    gemm_parity::<f32>(dev)
}
