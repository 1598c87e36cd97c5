//! The whole generator loss, `mean_b [nMSE_b + beta_b bits_b / W]`, differentiated by
//! the tape, against central differences along one random direction of all generator
//! parameters, in f64, for every complexity measure and W1 readout (node and weight
//! noise, inputs and betas held fixed).

use autodiff::gradcheck::{check_gradients_fast, Tolerance};
use autodiff::{Key, Tensor};
use hypernet::generator::loss::objective;
use hypernet::generator::{ComplexityMeasure, Generator, GeneratorConfig, LatentPrior, OutputBias, Schedule, W1Readout};
use hypernet::params::ParamStore;
use hypernet::problem::ProblemConfig;
use ndarray::ArrayD;

const NETWORKS: usize = 2;
const POINTS: usize = 8;

fn tiny(w1_readout: W1Readout, complexity: ComplexityMeasure) -> GeneratorConfig {
    // The hard assignment's forward pass is piecewise constant in the logits and its
    // backward pass the soft plan's (straight-through): checked in `assignment.rs`, not here.
    GeneratorConfig { width: 8, blocks: 1, heads: 2, noise_dim: 2, key_dim: 4, cond_width: 4, w1_readout, complexity, hard_assignment: false, ..GeneratorConfig::default() }
}

/// Gradient-checks the loss of `config` on a 3 -> 8 -> 1 problem, with the
/// complexity term on or off (the warmup, which evaluates the mean weights).
fn check(config: GeneratorConfig, complexity_on: bool) {
    // m >= 2n + 2, so the signed-slot readout's spare column and sum slot take part.
    let problem = ProblemConfig { inputs: 3, hidden: 8, ..ProblemConfig::default() };
    let (n, m, variance) = (problem.inputs, problem.hidden, problem.variance().value);
    let init = Key::new(1);
    let reference = Generator::<f64>::build(config.clone(), init, ParamStore::new());
    let names: Vec<String> = reference.params.iter().map(|(name, _)| name.clone()).collect();
    let values: Vec<ArrayD<f64>> = reference.params.iter().map(|(_, t)| t.to_array()).collect();
    let noise = reference.node_noise(NETWORKS, n, m, Key::new(2));
    let eps: [Key; 4] = Key::new(3).split(4).try_into().unwrap();
    let data = problem.sample::<f64>(Key::new(4), NETWORKS, POINTS);
    // One beta low enough for the error to dominate, one where the bits do.
    let log10_beta = [-1.5, 0.5];
    let loss = |params: &[Tensor<f64>]| {
        let presets = names.iter().cloned().zip(params.iter().cloned()).collect();
        let generator = Generator::build(config.clone(), init, ParamStore::preset(presets));
        let generated = generator.generate_with_noise(&log10_beta, n, m, noise.clone(), eps, &Schedule::fixed(&generator.config));
        objective(&generated, &log10_beta, &problem, data.clone(), variance, complexity_on).loss
    };
    let what = format!("{:?} readout, {:?} complexity, complexity on: {complexity_on}", config.w1_readout, config.complexity);
    let worst = check_gradients_fast(&loss, &values, &Tolerance::default(), Key::new(5)).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(worst.analytic.abs() > 1e-3, "{what}: the directional derivative {} is suspiciously small", worst.analytic);
}

#[test]
fn the_whole_loss_passes_a_random_direction_gradient_check_in_f64() {
    for readout in W1Readout::ALL {
        for complexity in ComplexityMeasure::ALL {
            check(tiny(readout, complexity), true);
        }
    }
    check(tiny(W1Readout::BalancedPointer, ComplexityMeasure::TensorSigma), false);
    // Slot messages through the soft plan, into every head (the sigma heads included).
    for complexity in [ComplexityMeasure::NeuronSigma, ComplexityMeasure::WeightSigma] {
        check(GeneratorConfig { slot_messages: true, ..tiny(W1Readout::SignedSlotsSpare, complexity) }, true);
    }
    // Optional slots: Sinkhorn with a vacancy row (row and column masses).
    check(GeneratorConfig { optional_slots: true, slot_messages: true, ..tiny(W1Readout::SignedSlotsSpare, ComplexityMeasure::NeuronSigma) }, true);
    // The sum slot, with and without its slot message and b1 offset.
    for (slot_messages, sum_slot_bias) in [(false, 0.0), (true, 3.0)] {
        check(GeneratorConfig { sum_slot: true, slot_messages, sum_slot_bias, ..tiny(W1Readout::SignedSlotsSpare, ComplexityMeasure::NeuronSigma) }, true);
    }
    // The latent hierarchy with its learnt top-down prior, and in the warmup (the mean network).
    let hierarchical = tiny(W1Readout::SignedSlotsSpare, ComplexityMeasure::HierarchicalVae);
    check(GeneratorConfig { latent_prior: LatentPrior::TopDown, ..hierarchical.clone() }, true);
    check(hierarchical, false);
    // b2 read off the neurons' weights.
    check(GeneratorConfig { output_bias: OutputBias::NeuronWeights, ..tiny(W1Readout::SignedSlotsSpare, ComplexityMeasure::NeuronSigma) }, true);
}
