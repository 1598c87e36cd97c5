//! Optimiser steps, the Philox stream and GEMM on the device against the CPU (the other
//! kernel families are in `cuda_parity.rs`; the conventions are the same: see there).
#![cfg(feature = "cuda")]

mod cuda_support;

use cuda_support::*;

use autodiff::optim::{Adam, AdamConfig, Optimizer, Sgd, SgdConfig, WeightDecay};
use autodiff::{Key, Tensor};
use kernels::cuda::{AdamStep, CudaError, Device, GemmBatch, GpuElement, SgdStep};
use kernels::MatLayout;
use ndarray::{ArrayD, IxDyn};

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
