//! The `node-latent` complexity measure inside the generator: latents left at their
//! prior cost exactly nothing, moving them costs bits, and the mean network is
//! decoded from the latent means alone (its draw does not enter).

use autodiff::{no_grad, Key};
use hypernet::generator::{ComplexityMeasure, Generator, GeneratorConfig, Schedule};
use ndarray::{s, ArrayD};

const N: usize = 3;
const M: usize = 5;

fn generator() -> Generator {
    let cfg = GeneratorConfig { width: 16, blocks: 2, heads: 2, noise_dim: 4, key_dim: 8, cond_width: 8, complexity: ComplexityMeasure::NodeLatent, ..GeneratorConfig::default() };
    Generator::new(cfg, Key::new(6))
}

fn bits(g: &Generator, noise: &ArrayD<f32>) -> Vec<f32> {
    let eps = Key::new(1).split(4).try_into().unwrap();
    no_grad(|| g.generate_with_noise(&[-2.0, 0.0], N, M, noise.clone(), eps, &Schedule::fixed(&g.config))).bits.to_vec()
}

#[test]
fn latents_at_the_prior_are_free_and_moved_latents_cost_bits() {
    let g = generator();
    let noise = g.node_noise(2, N, M, Key::new(2));
    assert_eq!(noise.shape(), &[2, N + M + 1, 8], "free noise plus the latent's draw");
    let fresh = bits(&g, &noise);
    assert!(fresh.iter().all(|b| b.is_finite() && *b > 0.0), "a fresh generator's latents are near, not at, the prior: {fresh:?}");
    // mu = 0 and ln sigma = 0 for every node: the latent is the prior.
    g.params.get("latent.encode.weight").update(|w| w.fill(0.0));
    g.params.get("latent.encode.bias").update(|b| b.fill(0.0));
    assert_eq!(bits(&g, &noise), vec![0.0, 0.0]);
    // Shift one latent mean: the network now pays for it.
    g.params.get("latent.encode.bias").update(|b| b[0] = 1.0);
    let nodes = (N + M + 1) as f32;
    let expected = nodes * 0.5 / std::f32::consts::LN_2; // KL of N(1, 1) against N(0, 1), per node
    for b in bits(&g, &noise) {
        assert!((b - expected).abs() < 1e-4 * expected, "{b} bits, want {expected}");
    }
}

#[test]
fn the_mean_network_ignores_the_latent_draw_and_the_sample_does_not() {
    let g = generator();
    let noise = g.node_noise(2, N, M, Key::new(3));
    let mut redrawn = noise.clone();
    let other = g.node_noise(2, N, M, Key::new(4));
    redrawn.slice_mut(s![.., .., 4..]).assign(&other.slice(s![.., .., 4..]));
    let eps = Key::new(1).split(4).try_into().unwrap();
    let schedule = Schedule::fixed(&g.config);
    let (a, b) = no_grad(|| (g.generate_with_noise(&[-1.0, 1.0], N, M, noise, eps, &schedule), g.generate_with_noise(&[-1.0, 1.0], N, M, redrawn, eps, &schedule)));
    assert_eq!(a.mean.w1.to_vec(), b.mean.w1.to_vec());
    assert_eq!(a.bits.to_vec(), b.bits.to_vec(), "the KL depends on mu and sigma, not on the draw");
    assert_ne!(a.sample.w1.to_vec(), b.sample.w1.to_vec());
}
