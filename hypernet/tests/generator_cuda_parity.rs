//! Generator training on a GPU against the CPU (cargo feature `cuda`).
//!
//! For every W1 readout and complexity measure, a tiny run is trained for `STEPS`
//! steps from one seed twice: on the CPU, and moved to the device before its first
//! step ([`GeneratorTrainer::to_device`]). Both draw the same inputs (the draws are
//! made on the CPU and uploaded), so they differ only by rounding: f32 kernels that
//! round like the CPU's, but sums and cuBLAS products added in another order.
//!
//! Tolerance (f32):
//! * every step's loss, nMSE, bits and gradient norm within `RECORD_TOLERANCE (1 + |cpu|)`;
//! * every parameter within `PARAM_TOLERANCE (1 + max |cpu|) + 2 sum_s lr_s`. Adam
//!   divides a gradient by its own size, so an entry whose gradient is zero up to
//!   rounding (a bias before a layer norm, say) moves by up to lr in either direction
//!   on each device; the second term allows exactly that, the first the rest.
//!
//! A device run stopped at a checkpoint and resumed on the device ends bit-identical
//! to one never stopped (device reductions are deterministic).
//!
//! Without a CUDA device each test prints `SKIPPED: no CUDA device (...)` and passes;
//! with `REQUIRE_GPU=1` it fails instead.
#![cfg(feature = "cuda")]

use autodiff::cuda::CudaDevice;
use autodiff::Device;
use hypernet::generator::{ComplexityMeasure, GeneratorConfig, GeneratorTrainConfig, GeneratorTrainer, StepRecord, W1Readout};

/// Steps per run: half with the complexity off (mean weights), half with it on.
const STEPS: usize = 4;
const RECORD_TOLERANCE: f64 = 1e-3;
const PARAM_TOLERANCE: f64 = 1e-3;

/// The device, or `None` after printing why the test is skipped (a panic instead
/// under `REQUIRE_GPU=1`).
fn device(test: &str) -> Option<Device> {
    match CudaDevice::new(0) {
        Ok(d) => Some(Device::Cuda(d)),
        Err(e) if std::env::var("REQUIRE_GPU").as_deref() == Ok("1") => {
            panic!("{test}: REQUIRE_GPU=1 but there is no usable CUDA device: {e}")
        }
        Err(e) => {
            println!("SKIPPED: no CUDA device ({test}): {e}");
            None
        }
    }
}

fn tiny(w1_readout: W1Readout, complexity: ComplexityMeasure) -> GeneratorTrainConfig {
    let generator = GeneratorConfig { width: 8, blocks: 2, heads: 2, noise_dim: 2, key_dim: 4, cond_width: 4, w1_readout, complexity, ..GeneratorConfig::default() };
    let mut c = GeneratorTrainConfig { steps: STEPS, networks: 3, points: 16, train_inputs: vec![2, 3], complexity_warmup_fraction: 0.5, generator, ..GeneratorTrainConfig::default() };
    c.optimizer.warmup_steps = 1;
    c
}

fn run(trainer: &mut GeneratorTrainer) -> Vec<StepRecord> {
    (0..STEPS).map(|_| trainer.train_step().unwrap_or_else(|e| panic!("step {}: {e}", trainer.step))).collect()
}

fn params(t: &GeneratorTrainer) -> Vec<(String, Vec<f32>)> {
    t.generator.params.iter().map(|(name, p)| (name.clone(), p.to_vec())).collect()
}

fn close(what: &str, cpu: f64, gpu: f64, bound: f64) {
    assert!((cpu - gpu).abs() <= bound || cpu.is_nan() && gpu.is_nan(), "{what}: {gpu} on the device, {cpu} on the CPU (|diff| {:e} > {bound:e})", (cpu - gpu).abs());
}

#[test]
fn training_steps_on_the_device_match_the_cpu() {
    let Some(device) = device("training_steps_on_the_device_match_the_cpu") else { return };
    for readout in W1Readout::ALL {
        for complexity in ComplexityMeasure::ALL {
            let case = format!("{readout:?}/{complexity:?}");
            let config = tiny(readout, complexity);
            let mut cpu = GeneratorTrainer::new(config.clone()).unwrap();
            let mut gpu = GeneratorTrainer::new(config).unwrap().to_device(&device).unwrap();
            assert_eq!(gpu.generator.params.tensors()[0].device(), device, "{case}: parameters were not moved");
            let (cpu_records, gpu_records) = (run(&mut cpu), run(&mut gpu));
            for (c, g) in cpu_records.iter().zip(&gpu_records) {
                assert_eq!((c.n, c.lr.to_bits(), c.mean_log10_beta.to_bits()), (g.n, g.lr.to_bits(), g.mean_log10_beta.to_bits()), "{case}: step {} drew other inputs", c.step);
                for (what, cv, gv) in [("loss", c.loss, g.loss), ("nmse", c.nmse, g.nmse), ("bits", c.bits, g.bits), ("grad_norm", c.grad_norm, g.grad_norm)] {
                    close(&format!("{case}: step {} {what}", c.step), cv, gv, RECORD_TOLERANCE * (1.0 + cv.abs()));
                }
            }
            let moved: f64 = 2.0 * cpu_records.iter().map(|r| r.lr).sum::<f64>();
            for ((name, c), (_, g)) in params(&cpu).into_iter().zip(params(&gpu)) {
                let scale = 1.0 + c.iter().fold(0.0f64, |m, v| m.max(v.abs() as f64));
                for (i, (cv, gv)) in c.iter().zip(&g).enumerate() {
                    close(&format!("{case}: parameter {name}[{i}]"), *cv as f64, *gv as f64, PARAM_TOLERANCE * scale + moved);
                }
            }
        }
    }
}

#[test]
fn a_device_run_resumed_from_its_checkpoint_is_bit_identical() {
    let Some(device) = device("a_device_run_resumed_from_its_checkpoint_is_bit_identical") else { return };
    let config = tiny(W1Readout::ALL[0], ComplexityMeasure::TensorSigma);
    let mut straight = GeneratorTrainer::new(config.clone()).unwrap().to_device(&device).unwrap();
    run(&mut straight);
    let mut first = GeneratorTrainer::new(config).unwrap().to_device(&device).unwrap();
    for _ in 0..STEPS / 2 {
        first.train_step().unwrap();
    }
    let checkpoint = first.checkpoint();
    drop(first);
    let mut resumed = GeneratorTrainer::from_checkpoint(&checkpoint).unwrap().to_device(&device).unwrap();
    while !resumed.finished() {
        resumed.train_step().unwrap();
    }
    let bits = |t: &GeneratorTrainer| params(t).into_iter().map(|(n, v)| (n, v.iter().map(|x| x.to_bits()).collect::<Vec<_>>())).collect::<Vec<_>>();
    assert_eq!(bits(&straight), bits(&resumed));
    let state = |t: &GeneratorTrainer| t.checkpoint().optimizer.buffers.iter().map(|b| b.iter().map(|v| v.to_bits()).collect::<Vec<_>>()).collect::<Vec<_>>();
    assert_eq!(state(&straight), state(&resumed), "optimiser state after resuming");
}
