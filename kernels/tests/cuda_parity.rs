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

mod cuda_support;

use cuda_support::*;

use autodiff::{Key, Tensor};
use kernels::cuda::{BinaryOp, CudaError, Device, GpuElement, Operand, ReduceOp, SoftmaxKind, UnaryOp};

/// Three ops written as `autodiff/src/ops/` writes them (every real op is checked,
/// primitive by primitive, in `autodiff/tests/cuda_parity.rs`, in f64): a plain one,
/// one using the `logistic` helper, one with a parameter. Each with its CPU twin and
/// the lower end of its input range.
type UnaryExample = (UnaryOp, fn(&Tensor<f64>) -> Tensor<f64>, f64);

fn unary_examples() -> [UnaryExample; 3] {
    [
        (UnaryOp::new("exp", "exp(x)", "y"), |x| x.exp(), -4.0),
        (UnaryOp::new("silu", "x * logistic(x)", "logistic(x) * (T(1) + x * (T(1) - logistic(x)))"), |x| x.silu(), -4.0),
        (UnaryOp::new("powf", "pow(x, p)", "p * pow(x, p - T(1))").with_param(1.7), |x| x.powf(1.7), 0.1),
    ]
}

fn unary_parity<T: GpuElement>(dev: Option<&Device>) -> Result<(), CudaError> {
    for (i, (op, cpu, low)) in unary_examples().into_iter().enumerate() {
        let key = Key::new(1).fold_in(i as u64);
        for n in sizes(key) {
            let (x, x64) = values::<T>(key.fold_in(n as u64), n, low, 4.0);
            let (g, g64) = values::<T>(key.fold_in(n as u64 + 1), n, -1.0, 1.0);
            let xt = param(&[n], &x64);
            let yt = cpu(&xt);
            yt.backward_with(array(&[n], g64));
            let Some(dev) = dev else { continue };
            let what = format!("{} n={n}", op.name);
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

