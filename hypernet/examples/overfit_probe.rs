//! Diagnostic: how fast does the generator learn to emit good networks, with its node
//! noise held fixed (one network, reparameterised through the generator) or fresh every
//! step (the real task)? Deterministic weights, no complexity term, log10 beta = -3.
//!
//! `cargo run --release -p hypernet --example overfit_probe -- fixed|fresh [LR]`
//! prints the normalised MSE every 50 steps (see NOTES.md, "optimisation probe").

use autodiff::optim::{clip_grad_norm, Optimizer};
use autodiff::{Key, Tensor};
use hypernet::generator::{Generator, GeneratorConfig, Schedule};
use hypernet::init::mean_target;
use hypernet::optim_config::OptimConfig;
use hypernet::problem::ProblemConfig;
use hypernet::target_batch::forward;
use hypernet::task::normalised_mse;

fn main() {
    let fixed = match std::env::args().nth(1).as_deref() {
        Some("fixed") => true,
        Some("fresh") | None => false,
        Some(other) => panic!("first argument must be `fixed` or `fresh`, got {other:?}"),
    };
    let lr: f64 = std::env::args().nth(2).map(|s| s.parse().expect("LR must be a number")).unwrap_or(2e-3);
    let generator = Generator::new(GeneratorConfig { ..GeneratorConfig::default() }, Key::new(0));
    let problem = ProblemConfig::default();
    generator.init_output_bias(mean_target(&problem), problem.hidden);
    let schedule = OptimConfig { learning_rate: lr, final_learning_rate: lr, warmup_steps: 0 };
    let mut opt = schedule.adam(generator.params.tensors()).expect("valid optimiser settings");
    let variance = problem.variance().value;
    for step in 0..600u64 {
        let noise_key = Key::new(7).fold_in(if fixed { 0 } else { step });
        opt.zero_grad();
        let w = generator.generate(&[-3.0; 16], problem.inputs, problem.hidden, &Schedule::fixed(&generator.config), noise_key).mean;
        let (x, y) = problem.sample::<f32>(Key::new(8).fold_in(step), 16, 256);
        let pred = forward(&Tensor::constant(x), &w.w1, &w.b1, &w.w2, &w.b2, problem.activation);
        let loss = normalised_mse(&pred, &Tensor::constant(y), variance).mean_all();
        loss.backward();
        let grad_norm = clip_grad_norm(opt.params(), 1.0);
        opt.step();
        if step % 50 == 0 {
            println!("step {step:4}  nmse {:.4}  |g| {grad_norm:.2}", loss.item());
        }
    }
}
