//! Faults injected into generator training: a NaN loss or a NaN gradient stops the
//! step with a diagnostic and changes nothing; skipping moves on without an update.

use hypernet::generator::train::Fault;
use hypernet::generator::{GeneratorConfig, GeneratorTrainConfig, GeneratorTrainer};
use hypernet::train_error::TrainError;

fn tiny() -> GeneratorTrainConfig {
    let generator = GeneratorConfig { width: 8, blocks: 1, heads: 2, noise_dim: 2, key_dim: 4, cond_width: 4, ..GeneratorConfig::default() };
    let mut c = GeneratorTrainConfig { steps: 6, networks: 3, points: 16, train_inputs: vec![2, 3], generator, ..GeneratorTrainConfig::default() };
    c.optimizer.warmup_steps = 2;
    c
}

fn bits(t: &GeneratorTrainer) -> Vec<Vec<u32>> {
    t.generator.params.iter().map(|(_, p)| p.to_vec().iter().map(|v| v.to_bits()).collect()).collect()
}

/// The optimiser's step count and buffers, as bits.
fn optimizer_bits(t: &GeneratorTrainer) -> (u64, Vec<Vec<u32>>) {
    let state = t.checkpoint().optimizer;
    (state.step, state.buffers.iter().map(|b| b.iter().map(|v| v.to_bits()).collect()).collect())
}

/// Trains to `step`, injects `fault` there, and returns the trainer and the error.
fn fail_at(step: usize, fault: Fault) -> (GeneratorTrainer, TrainError) {
    let mut t = GeneratorTrainer::new(tiny()).unwrap();
    t.faults.insert(step, fault);
    while t.step < step {
        t.train_step().unwrap();
    }
    let before = (bits(&t), optimizer_bits(&t));
    let err = t.train_step().unwrap_err();
    assert_eq!((bits(&t), optimizer_bits(&t)), before, "a non-finite step must change nothing");
    assert_eq!(t.step, step, "a failed step is not counted");
    (t, err)
}


#[test]
fn a_nan_loss_stops_with_step_beta_range_and_quantity() {
    let (_, err) = fail_at(2, Fault::NanLoss);
    let TrainError::NonFiniteStep(diag) = &err else { panic!("expected NonFiniteStep, got {err}") };
    assert_eq!((diag.step, diag.quantity.as_str()), (2, "loss"));
    assert!(diag.value.is_nan());
    let message = err.to_string();
    assert!(message.contains("step 2") && message.contains("log10 beta in [") && message.contains("n = "), "{message}");
}

#[test]
fn a_nan_gradient_names_the_parameter() {
    let (t, err) = fail_at(3, Fault::NanGradient);
    let TrainError::NonFiniteStep(diag) = &err else { panic!("expected NonFiniteStep, got {err}") };
    let first = t.generator.params.iter().next().unwrap().0.clone();
    assert_eq!(diag.step, 3);
    assert!(diag.quantity.contains("gradient") && diag.quantity.contains(&first), "{}", diag.quantity);
}

#[test]
fn skipping_moves_on_without_an_update_and_training_stays_finite() {
    for fault in [Fault::NanLoss, Fault::NanGradient] {
        let (mut t, _) = fail_at(2, fault);
        let before = (bits(&t), optimizer_bits(&t));
        t.skip_step();
        assert_eq!(t.step, 3);
        assert_eq!((bits(&t), optimizer_bits(&t)), before);
        while !t.finished() {
            t.train_step().unwrap();
        }
        let ckpt = t.checkpoint();
        assert_eq!((ckpt.step, ckpt.optimizer.step), (6, 5), "{fault:?}: five updates in six steps");
        assert!(ckpt.params.values().all(|p| p.iter().all(|v| v.is_finite())));
    }
}
