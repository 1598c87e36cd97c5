//! A network trained directly with Adam (no complexity control) is labelled, and its
//! label, order parameters and formula are reported. The paper finds that such
//! networks compute the norm without the clean structure of the generated ones; the
//! label is printed (run with `--nocapture`), not asserted, because it is a finding.

use approx::abs_diff_eq;
use hypernet::optim_config::OptimConfig;
use hypernet::problem::ProblemConfig;
use hypernet::train_mlp::{train_mlp, MlpConfig};
use interpret::classify::classify;
use interpret::formula::explain;

#[test]
fn adam_trained_network_is_labelled_and_reported() {
    let n = 8;
    let cfg = MlpConfig {
        steps: 1500,
        batch_size: 512,
        log_every: 500,
        eval_points: 4096,
        problem: ProblemConfig { inputs: n, hidden: 3 * n, ..ProblemConfig::default() },
        optimizer: OptimConfig { warmup_steps: 50, ..OptimConfig::default() },
        ..MlpConfig::default()
    };
    let outcome = train_mlp(&cfg, None).expect("training runs");
    assert!(outcome.eval_nmse < 0.05, "Adam did not learn the norm: held-out nMSE {}", outcome.eval_nmse);
    let c = classify(&outcome.weights);
    let e = explain(&outcome.weights, &c.params);
    println!("Adam-trained {n} -> {} -> 1, held-out nMSE {:.4}:\n{c}{e}", 3 * n, outcome.eval_nmse);
    assert!(abs_diff_eq!(e.network_task_nmse, outcome.eval_nmse, epsilon = 0.02), "{} vs {}", e.network_task_nmse, outcome.eval_nmse);
}
