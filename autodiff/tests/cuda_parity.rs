//! Device tensors against the CPU: every primitive of `CASES` (the gradient checks'
//! list, on the same random shapes, values and parameters), forward, backward and the
//! recorded backward with a second sweep through it (second order) in f64; transfers;
//! mixed-device misuse; and whole training steps with each optimiser.
//!
//! Each primitive runs twice from the same inputs: on CPU tensors and on copies moved
//! to the device, both seeded with the same random output gradient. The device output
//! and every input gradient must be within `1e-11 (1 + max |cpu|)` of the CPU's
//! (elementwise kernels round as the CPU does; sums are added in another order).
//!
//! Without a CUDA device each test prints `SKIPPED: no CUDA device (...)` and passes;
//! with `REQUIRE_GPU=1` it fails instead. `GRADCHECK_ONLY=<name>` selects cases as in
//! the gradient checks.
#![cfg(feature = "cuda")]

mod common;

use autodiff::cuda::CudaDevice;
use autodiff::optim::{clip_grad_norm, Adam, AdamConfig, Optimizer, Sgd, SgdConfig, WeightDecay};
use autodiff::second_order::grad;
use kernels::cuda::UnaryOp;
use autodiff::{Device, Key, Tensor};
use common::cases::{selected_cases, Case, Sample};
use common::{values, Domain};
use ndarray::ArrayD;
use proptest::test_runner::{TestCaseError, TestError, TestRunner};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Proptest cases per primitive (each runs the primitive on both devices).
const CASES_PER_PRIMITIVE: u32 = 24;

/// Relative tolerance of f64 device results against the CPU.
const TOLERANCE: f64 = 1e-11;

/// The device, or `None` after printing why the test is skipped (a panic instead
/// under `REQUIRE_GPU=1`).
fn device(test: &str) -> Option<CudaDevice> {
    match CudaDevice::new(0) {
        Ok(d) => Some(d),
        Err(e) if std::env::var("REQUIRE_GPU").as_deref() == Ok("1") => {
            panic!("{test}: REQUIRE_GPU=1 but there is no usable CUDA device: {e}")
        }
        Err(e) => {
            println!("SKIPPED: no CUDA device ({test}): {e}");
            None
        }
    }
}

/// `Err` naming `what` and the worst element unless `gpu` is within tolerance of `cpu`.
fn compare(what: &str, cpu: &ArrayD<f64>, gpu: &ArrayD<f64>) -> Result<(), String> {
    if cpu.shape() != gpu.shape() {
        return Err(format!("{what}: shape {:?} on the device, {:?} on the CPU", gpu.shape(), cpu.shape()));
    }
    let scale = 1.0 + cpu.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let bad = cpu.iter().zip(gpu).enumerate().find(|(_, (c, g))| !((*c - *g).abs() <= TOLERANCE * scale || c.is_nan() && g.is_nan()));
    match bad {
        Some((i, (c, g))) => Err(format!(
            "{what}: element {i} is {g} on the device, {c} on the CPU (|diff| {:e} > {:e})",
            (c - g).abs(),
            TOLERANCE * scale
        )),
        None => Ok(()),
    }
}

/// Runs `case` on CPU and device tensors from the same inputs and seed gradient.
fn check_case(device: &CudaDevice, case: &Case, sample: &Sample) -> Result<(), String> {
    let inputs = sample.inputs(case.domain);
    let cpu: Vec<Tensor<f64>> = inputs.iter().map(|x| Tensor::param(x.clone())).collect();
    let gpu: Vec<Tensor<f64>> = cpu.iter().map(|t| t.to_device(device).expect("upload")).collect();
    let y_cpu = (case.op)(&cpu, &sample.ctx());
    let y_gpu = (case.op)(&gpu, &sample.ctx());
    if y_gpu.device() != Device::Cuda(device.clone()) {
        return Err(format!("the output lives on {}, not on the device", y_gpu.device()));
    }
    compare("forward", &y_cpu.to_array(), &y_gpu.to_array())?;
    let seed = values(Domain::Any, &y_cpu.shape(), sample.direction_key());
    y_cpu.backward_with(seed.clone());
    y_gpu.backward_with(seed);
    for (i, (c, g)) in cpu.iter().zip(&gpu).enumerate() {
        match (c.grad(), g.grad()) {
            (Some(c), Some(g)) => compare(&format!("gradient of input {i}"), &c, &g)?,
            (None, None) => {}
            (c, g) => return Err(format!("input {i}: gradient present on CPU {}, on the device {}", c.is_some(), g.is_some())),
        }
    }
    second_order(device, (&cpu, &y_cpu), (&gpu, &y_gpu), sample)
}

/// The recorded VJP (`second_order::grad` with `create_graph`) for a random seed on
/// both devices, then a second sweep from its contraction with random directions: the
/// device results must match the CPU's.
fn second_order(device: &CudaDevice, cpu: (&[Tensor<f64>], &Tensor<f64>), gpu: (&[Tensor<f64>], &Tensor<f64>), sample: &Sample) -> Result<(), String> {
    let keys = sample.direction_key().fold_in(2).split(cpu.0.len() + 1);
    let seed = values(Domain::Any, &cpu.1.shape(), keys[0]);
    let directions: Vec<ArrayD<f64>> = cpu.0.iter().zip(&keys[1..]).map(|(x, k)| values(Domain::Any, &x.shape(), *k)).collect();
    let sweep = |(inputs, y): (&[Tensor<f64>], &Tensor<f64>), on: &Device| {
        let wrt: Vec<&Tensor<f64>> = inputs.iter().collect();
        let recorded = grad(y, &wrt, Some(&Tensor::constant_on(seed.clone(), on)), true);
        let along = recorded.iter().zip(&directions).map(|(g, w)| g.mul(&Tensor::constant_on(w.clone(), on)).sum_all()).reduce(|a, b| a.add(&b)).expect("an input");
        let second = grad(&along, &wrt, None, false);
        (recorded.iter().map(Tensor::to_array).collect::<Vec<_>>(), second.iter().map(Tensor::to_array).collect::<Vec<_>>())
    };
    let (c_first, c_second) = sweep(cpu, &Device::Cpu);
    let (g_first, g_second) = sweep(gpu, &Device::Cuda(device.clone()));
    for (i, ((cf, gf), (cs, gs))) in c_first.iter().zip(&g_first).zip(c_second.iter().zip(&g_second)).enumerate() {
        compare(&format!("recorded gradient of input {i}"), cf, gf)?;
        compare(&format!("second-order gradient of input {i}"), cs, gs)?;
    }
    Ok(())
}

/// One primitive over random draws; `Some(report)` on failure.
fn run_case(device: &CudaDevice, case: &Case) -> Option<String> {
    let config = common::config(CASES_PER_PRIMITIVE);
    let seed = config.rng_seed;
    let result = TestRunner::new(config).run(&case.samples(), |sample| {
        let outcome = catch_unwind(AssertUnwindSafe(|| check_case(device, case, &sample)));
        let outcome = outcome.unwrap_or_else(|p| {
            let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()));
            Err(format!("panicked: {}", msg.unwrap_or_default()))
        });
        outcome.map_err(TestCaseError::fail)
    });
    match result {
        Ok(()) => None,
        Err(TestError::Abort(why)) => Some(format!("`{}`: proptest gave up: {why}", case.name)),
        Err(TestError::Fail(why, sample)) => Some(format!(
            "`{}` differs: {why}\n  shapes {:?}, axis {}, value seed {}; parameters [{}]\n  rerun: GRADCHECK_ONLY={} PROPTEST_RNG_SEED={seed:?}\n",
            case.name,
            sample.shapes,
            sample.axis,
            sample.seed,
            sample.ctx().log.borrow().join(", "),
            case.name
        )),
    }
}

#[test]
fn every_primitive_matches_the_cpu_forward_backward_and_second_order() {
    let Some(device) = device("primitive parity") else { return };
    let selected = selected_cases();
    let failures: Vec<String> = selected.iter().filter_map(|c| run_case(&device, c)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} primitives differ between the device and the CPU:\n\n{}",
        failures.len(),
        selected.len(),
        failures.join("\n")
    );
}

/// Every elementwise function's device code: its `UnaryFn::cuda` expressions (written
/// beside its CPU code in `src/ops/`) compiled into its own module. Needs NVRTC, not a
/// GPU, so CI checks it (`SKIP_PTX=1` skips it where NVRTC is missing). The list must
/// name every file of `src/ops/` that implements `UnaryFn`: a test below reads them.
fn elementwise_functions() -> Vec<UnaryOp> {
    use autodiff::ops::unary::UnaryFn;
    use autodiff::ops::*;
    vec![
        UnaryFn::<f64>::cuda(&abs::Abs),
        UnaryFn::<f64>::cuda(&add_scalar::AddScalar(0.5)),
        UnaryFn::<f64>::cuda(&exp::Exp),
        UnaryFn::<f64>::cuda(&log::Log),
        UnaryFn::<f64>::cuda(&mul_scalar::MulScalar(2.5)),
        UnaryFn::<f64>::cuda(&neg::Neg),
        UnaryFn::<f64>::cuda(&powf::Powf(1.7)),
        UnaryFn::<f64>::cuda(&relu::Relu),
        UnaryFn::<f64>::cuda(&sigmoid::Sigmoid),
        UnaryFn::<f64>::cuda(&silu::Silu),
        UnaryFn::<f64>::cuda(&sin::Sin),
        UnaryFn::<f64>::cuda(&softplus::Softplus),
        UnaryFn::<f64>::cuda(&sqrt::Sqrt),
        UnaryFn::<f64>::cuda(&square::Square),
        UnaryFn::<f64>::cuda(&tanh::Tanh),
    ]
}

#[test]
fn every_elementwise_function_compiles_to_ptx() {
    if let Err(e) = kernels::cuda::nvrtc_available() {
        if std::env::var("SKIP_PTX").as_deref() == Ok("1") {
            println!("SKIPPED: {e}");
            return;
        }
        panic!("{e}\n(set SKIP_PTX=1 to skip this test on a machine without NVRTC)");
    }
    for op in elementwise_functions() {
        let ptx = op.ptx().unwrap_or_else(|e| panic!("{}: {e}", op.name));
        assert!(ptx.contains(".entry unary_forward_f32(") && ptx.contains(".entry unary_backward_f64("), "{}: entry points missing", op.name);
    }
}

/// Every file of `src/ops/` that implements `UnaryFn` is in [`elementwise_functions`]
/// (by the op's name, which is the file's), so its device code is compiled above.
#[test]
fn every_elementwise_file_is_listed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ops");
    let listed: Vec<&str> = elementwise_functions().iter().map(|op| op.name).collect();
    let mut unlisted = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let stem = path.file_stem().expect("file name").to_string_lossy().into_owned();
        if text.contains("> UnaryFn<T> for ") && !listed.contains(&stem.as_str()) {
            unlisted.push(stem);
        }
    }
    assert!(listed.len() >= 14 && unlisted.is_empty(), "elementwise ops not in elementwise_functions(): {unlisted:?}");
}

#[test]
fn transfers_copy_values_exactly_and_keep_requires_grad() {
    let Some(device) = device("transfers") else { return };
    let x = Tensor::param(values(Domain::Any, &[3, 5], Key::new(1)));
    let there = x.to_device(&device).unwrap();
    assert_eq!(there.device(), Device::Cuda(device.clone()));
    assert!(there.requires_grad() && there.is_leaf());
    let back = there.to_cpu().unwrap();
    assert_eq!(back.device(), Device::Cpu);
    assert_eq!(back.to_vec(), x.to_vec(), "a round trip changes no bit");
    let empty = Tensor::<f32>::zeros(&[0, 4]).to_device(&device).unwrap();
    assert_eq!((empty.shape(), empty.to_vec()), (vec![0, 4], Vec::<f32>::new()));
    assert!(!empty.requires_grad());
}

#[test]
fn an_op_on_two_devices_names_the_op_and_the_devices() {
    let Some(device) = device("mixed devices") else { return };
    let a = Tensor::<f64>::zeros(&[2]);
    let b = a.to_device(&device).unwrap();
    let message = catch_unwind(AssertUnwindSafe(|| a.add(&b))).map(|_| ()).unwrap_err();
    let message = message.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("add: inputs on different devices [cpu, cuda:0]"), "{message}");
}

/// A two-layer perceptron's loss: `mse(tanh(x W1 + b1) W2 + b2, y)`.
fn loss(params: &[Tensor<f64>], x: &Tensor<f64>, y: &Tensor<f64>) -> Tensor<f64> {
    let hidden = x.matmul(&params[0]).add(&params[1]).tanh();
    hidden.matmul(&params[2]).add(&params[3]).mse(y)
}

/// Three clipped steps of `optimizer` on CPU and device copies of the same model
/// and data: parameters, losses and optimiser state must agree.
fn training_steps_agree<O: Optimizer<f64>>(device: &CudaDevice, make: impl Fn(Vec<Tensor<f64>>) -> O) {
    let keys = Key::new(7).split(6);
    let shapes: [&[usize]; 4] = [&[4, 8], &[8], &[8, 3], &[3]];
    let cpu: Vec<Tensor<f64>> = shapes.iter().zip(&keys).map(|(s, k)| Tensor::param(values(Domain::Any, s, *k))).collect();
    let gpu: Vec<Tensor<f64>> = cpu.iter().map(|p| p.to_device(device).unwrap()).collect();
    let (x, y) = (Tensor::constant(values(Domain::Any, &[16, 4], keys[4])), Tensor::constant(values(Domain::Any, &[16, 3], keys[5])));
    let (x_gpu, y_gpu) = (x.to_device(device).unwrap(), y.to_device(device).unwrap());
    let (mut opt_cpu, mut opt_gpu) = (make(cpu.clone()), make(gpu.clone()));
    for step in 0..3 {
        let (l_cpu, l_gpu) = (loss(&cpu, &x, &y), loss(&gpu, &x_gpu, &y_gpu));
        compare(&format!("loss at step {step}"), &l_cpu.to_array(), &l_gpu.to_array()).unwrap();
        opt_cpu.zero_grad();
        opt_gpu.zero_grad();
        l_cpu.backward();
        l_gpu.backward();
        let (n_cpu, n_gpu) = (clip_grad_norm(&cpu, 0.5), clip_grad_norm(&gpu, 0.5));
        approx::assert_abs_diff_eq!(n_gpu, n_cpu, epsilon = TOLERANCE * (1.0 + n_cpu));
        opt_cpu.step();
        opt_gpu.step();
    }
    for (i, (c, g)) in cpu.iter().zip(&gpu).enumerate() {
        assert_eq!(g.device(), Device::Cuda(device.clone()), "parameter {i} stays on the device");
        compare(&format!("parameter {i}"), &c.to_array(), &g.to_array()).unwrap();
    }
    let (s_cpu, s_gpu) = (opt_cpu.state(), opt_gpu.state());
    assert_eq!(s_cpu.step, s_gpu.step);
    for (i, (c, g)) in s_cpu.buffers.iter().zip(&s_gpu.buffers).enumerate() {
        compare(&format!("optimiser buffer {i}"), c, g).unwrap();
    }
}

#[test]
fn adamw_training_steps_on_the_device_match_the_cpu() {
    let Some(device) = device("AdamW training steps") else { return };
    training_steps_agree(&device, |p| Adam::new(p, AdamConfig::adamw(1e-2, 1e-3)));
}

#[test]
fn sgd_training_steps_on_the_device_match_the_cpu() {
    let Some(device) = device("SGD training steps") else { return };
    training_steps_agree(&device, |p| Sgd::new(p, SgdConfig { lr: 0.05, momentum: 0.9, weight_decay: WeightDecay::L2(1e-3) }));
}
