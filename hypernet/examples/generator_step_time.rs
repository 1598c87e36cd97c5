//! Times generator training steps at the default configuration and prints the
//! training curve: `cargo run --release -p hypernet --example generator_step_time [steps]`.

use hypernet::generator::{GeneratorTrainConfig, GeneratorTrainer};
use std::time::Instant;

fn main() {
    let steps: usize = std::env::args().nth(1).map(|s| s.parse().expect("steps must be a number")).unwrap_or(50);
    let mut config = GeneratorTrainConfig { steps, ..GeneratorTrainConfig::default() };
    config.optimizer.warmup_steps = config.optimizer.warmup_steps.min(steps);
    let mut trainer = GeneratorTrainer::new(config).expect("default config is valid");
    println!("generator parameters: {}", trainer.generator.params.count());
    let start = Instant::now();
    while !trainer.finished() {
        let r = trainer.train_step().expect("finite loss");
        if r.step.is_multiple_of(10) || trainer.finished() {
            println!("step {:5}  loss {:.4}  nmse {:.4}  bits {:8.1}  log10 beta {:+.2}  |g| {:.3}", r.step, r.loss, r.nmse, r.bits, r.mean_log10_beta, r.grad_norm);
        }
    }
    let ms = start.elapsed().as_secs_f64() * 1e3 / steps as f64;
    println!("{ms:.1} ms per step ({} threads)", rayon::current_num_threads());
}
