//! The `hierarchical-vae` complexity measure inside the generator: no free noise (the
//! node noise is the levels' draws), latents at their prior cost exactly nothing under
//! both priors, a moved latent costs its closed-form KL, and the decoder is local: one
//! node's last draw moves only the weights of that node.

use autodiff::{no_grad, Key};
use hypernet::generator::{ComplexityMeasure, Generated, Generator, GeneratorConfig, GeneratorTrainConfig, GeneratorTrainer, LatentPrior, Schedule, W1Readout};
use ndarray::{s, ArrayD};

const N: usize = 3;
const M: usize = 5;
const NODES: usize = N + M + 1;
const LATENT: usize = 4;
const BLOCKS: usize = 2;

fn config(prior: LatentPrior, w1_readout: W1Readout) -> GeneratorConfig {
    GeneratorConfig {
        width: 16,
        blocks: BLOCKS,
        heads: 2,
        noise_dim: LATENT,
        key_dim: 8,
        cond_width: 8,
        w1_readout,
        complexity: ComplexityMeasure::HierarchicalVae,
        latent_prior: prior,
        ..GeneratorConfig::default()
    }
}

fn generate(g: &Generator, noise: &ArrayD<f32>) -> Generated {
    let eps = Key::new(1).split(4).try_into().unwrap();
    no_grad(|| g.generate_with_noise(&[-2.0, 0.0], N, M, noise.clone(), eps, &Schedule::fixed(&g.config)))
}

/// Sets every level's map to `(mu, ln sigma)` named `map` (posterior or prior) to
/// zero weights and the given bias.
fn set_level_maps(g: &Generator, map: &str, bias: f32) {
    for l in 0..=BLOCKS {
        g.params.get(&format!("hierarchy.level{l}.{map}.weight")).update(|w| w.fill(0.0));
        g.params.get(&format!("hierarchy.level{l}.{map}.bias")).update(|b| b.fill(bias));
    }
}

#[test]
fn the_node_noise_is_one_draw_per_level_and_nothing_free() {
    let g = Generator::new(config(LatentPrior::Standard, W1Readout::SignedSlotsSpare), Key::new(6));
    assert_eq!(g.node_noise(2, N, M, Key::new(2)).shape(), &[2, NODES, (BLOCKS + 1) * LATENT]);
    assert!(!g.params.iter().any(|(name, _)| name.starts_with("noise_projection")), "no projection of free noise");
}

#[test]
fn latents_at_the_prior_are_free_and_a_moved_mean_costs_its_kl() {
    for prior in [LatentPrior::Standard, LatentPrior::TopDown] {
        let g = Generator::new(config(prior, W1Readout::SignedSlotsSpare), Key::new(6));
        let noise = g.node_noise(2, N, M, Key::new(2));
        let fresh = generate(&g, &noise).bits.to_vec();
        assert!(fresh.iter().all(|b| b.is_finite() && *b > 0.0), "{prior:?}: a fresh generator is near, not at, its prior: {fresh:?}");
        set_level_maps(&g, "posterior", 0.0);
        if prior == LatentPrior::TopDown {
            set_level_maps(&g, "prior", 0.0);
        }
        assert_eq!(generate(&g, &noise).bits.to_vec(), vec![0.0, 0.0], "{prior:?}: every posterior is its prior");
        // Shift the first coordinate of every posterior mean by 1 (the bias's first entry):
        // N(1, 1) against N(0, 1) is half a nat per node and level.
        for l in 0..=BLOCKS {
            g.params.get(&format!("hierarchy.level{l}.posterior.bias")).update(|b| b[0] = 1.0);
        }
        let expected = ((BLOCKS + 1) * NODES) as f32 * 0.5 / std::f32::consts::LN_2;
        for b in generate(&g, &noise).bits.to_vec() {
            assert!((b - expected).abs() < 1e-4 * expected, "{prior:?}: {b} bits, want {expected}");
        }
    }
}

#[test]
fn a_learnt_prior_that_agrees_with_the_posterior_makes_the_shift_free() {
    let g = Generator::new(config(LatentPrior::TopDown, W1Readout::SignedSlotsSpare), Key::new(7));
    let noise = g.node_noise(2, N, M, Key::new(3));
    set_level_maps(&g, "posterior", 0.5);
    set_level_maps(&g, "prior", 0.5);
    assert_eq!(generate(&g, &noise).bits.to_vec(), vec![0.0, 0.0]);
    set_level_maps(&g, "prior", 0.0);
    assert!(generate(&g, &noise).bits.to_vec().iter().all(|b| *b > 0.0), "the standard prior would charge the same shift");
}

/// Redraws hidden node `j`'s last-level draw and returns the two generations.
fn redraw_last_level_of(g: &Generator, j: usize) -> (Generated, Generated) {
    let noise = g.node_noise(2, N, M, Key::new(4));
    let mut redrawn = noise.clone();
    let last = BLOCKS * LATENT;
    let other = g.node_noise(2, N, M, Key::new(5));
    redrawn.slice_mut(s![.., N + j, last..]).assign(&other.slice(s![.., N + j, last..]));
    (generate(g, &noise), generate(g, &redrawn))
}

#[test]
fn the_decoder_is_local_one_nodes_last_draw_moves_only_its_own_weights() {
    // The plain pointer readout: W1[j, i] depends on nodes j and i alone (no balancing).
    let g = Generator::new(config(LatentPrior::Standard, W1Readout::Pointer), Key::new(8));
    let j = 2;
    let (a, b) = redraw_last_level_of(&g, j);
    let (wa, wb) = (a.sample.w1.to_array(), b.sample.w1.to_array());
    for k in 0..M {
        let moved = wa.slice(s![.., k, ..]) != wb.slice(s![.., k, ..]);
        assert_eq!(moved, k == j, "row {k} of W1 after redrawing neuron {j}'s last latent");
    }
    let (b1a, b1b) = (a.sample.b1.to_array(), b.sample.b1.to_array());
    for k in 0..M {
        assert_eq!(b1a.slice(s![.., k]) != b1b.slice(s![.., k]), k == j, "b1[{k}]");
    }
    // The mean network takes the last level at its posterior mean: the draw does not enter.
    assert_eq!(a.mean.w1.to_vec(), b.mean.w1.to_vec());
    assert_eq!(a.bits.to_vec(), b.bits.to_vec(), "the KL depends on the posteriors, not on the last draw");
}

#[test]
fn an_earlier_draw_reaches_every_node_through_the_posteriors() {
    // A level-0 draw of one neuron changes what attention shows every node, hence every
    // later posterior: coordination flows through the priced latents.
    let g = Generator::new(config(LatentPrior::Standard, W1Readout::Pointer), Key::new(8));
    let noise = g.node_noise(1, N, M, Key::new(4));
    let mut redrawn = noise.clone();
    redrawn.slice_mut(s![.., N, ..LATENT]).fill(2.0);
    let eps = Key::new(1).split(4).try_into().unwrap();
    let schedule = Schedule::fixed(&g.config);
    let (a, b) = no_grad(|| (g.generate_with_noise(&[-2.0], N, M, noise, eps, &schedule), g.generate_with_noise(&[-2.0], N, M, redrawn, eps, &schedule)));
    let (wa, wb) = (a.mean.w1.to_array(), b.mean.w1.to_array());
    for k in 0..M {
        assert_ne!(wa.slice(s![.., k, ..]), wb.slice(s![.., k, ..]), "row {k}");
    }
    assert_ne!(a.bits.to_vec(), b.bits.to_vec());
}

#[test]
fn the_learnt_prior_needs_the_hierarchical_measure() {
    let cfg = GeneratorConfig { latent_prior: LatentPrior::TopDown, ..GeneratorConfig::default() };
    assert!(cfg.validate().unwrap_err().contains("latent_prior"));
}

/// The parameters' bits after `steps` training steps (warmup, then priced) on `threads` threads.
fn trained_bits(threads: usize, steps: usize) -> Vec<u32> {
    let generator = GeneratorConfig { width: 8, heads: 2, key_dim: 4, cond_width: 4, ..config(LatentPrior::TopDown, W1Readout::SignedSlotsSpare) };
    let mut c = GeneratorTrainConfig { steps: 6, networks: 3, points: 16, train_inputs: vec![2, 3], generator, ..GeneratorTrainConfig::default() };
    c.optimizer.warmup_steps = 2;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
    pool.install(|| {
        let mut t = GeneratorTrainer::new(c).unwrap();
        for _ in 0..steps {
            t.train_step().unwrap();
        }
        t.generator.params.tensors().iter().flat_map(|p| p.to_vec()).map(f32::to_bits).collect()
    })
}

#[test]
fn training_gives_the_same_bits_at_one_and_two_threads() {
    let (one, two) = (trained_bits(1, 6), trained_bits(2, 6));
    assert_eq!(one, two);
    assert_ne!(one, trained_bits(1, 0), "training moved the parameters");
}
