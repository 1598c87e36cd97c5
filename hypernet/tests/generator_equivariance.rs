//! The generator is equivariant: permuting the input nodes and the hidden nodes (with
//! their noise) permutes the generated weights the same way, and the output bias,
//! a sum over nodes, does not change.

use approx::abs_diff_eq;
use autodiff::{no_grad, Key};
use hypernet::generator::{ComplexityMeasure, Generated, Generator, GeneratorConfig, OutputBias, Schedule, W1Readout};
use hypernet::target_batch::BatchedWeights;
use ndarray::{Array3, Axis};

fn small_config(readout: W1Readout, complexity: ComplexityMeasure) -> GeneratorConfig {
    GeneratorConfig { width: 16, blocks: 2, heads: 2, noise_dim: 4, key_dim: 8, cond_width: 8, w1_readout: readout, complexity, ..GeneratorConfig::default() }
}

fn small(readout: W1Readout, complexity: ComplexityMeasure) -> Generator {
    Generator::new(small_config(readout, complexity), Key::new(5))
}

/// Two networks (log10 beta -3 and 0.5) from node noise, and from the same noise with
/// the nodes permuted (new node k takes the noise of old node `order[k]`), with the same
/// weight noise, under no schedule.
fn generate_original_and_permuted(g: &Generator, n: usize, m: usize, input_perm: &[usize], hidden_perm: &[usize]) -> (Generated, Generated) {
    generate_original_and_permuted_under(g, n, m, input_perm, hidden_perm, &Schedule::fixed(&g.config))
}

/// [`generate_original_and_permuted`] under `schedule`.
fn generate_original_and_permuted_under(g: &Generator, n: usize, m: usize, input_perm: &[usize], hidden_perm: &[usize], schedule: &Schedule) -> (Generated, Generated) {
    let noise: Array3<f32> = g.node_noise(2, n, m, Key::new(9)).into_dimensionality().unwrap();
    let order: Vec<usize> = input_perm.iter().copied().chain(hidden_perm.iter().map(|j| n + j)).chain([n + m]).collect();
    let permuted = noise.select(Axis(1), &order);
    let eps = Key::new(1).split(4).try_into().unwrap();
    let betas = [-3.0f32, 0.5];
    no_grad(|| (g.generate_with_noise(&betas, n, m, noise.into_dyn(), eps, schedule), g.generate_with_noise(&betas, n, m, permuted.into_dyn(), eps, schedule)))
}

fn close(a: &[f32], b: &[f32], what: &str) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= 1e-4 * (1.0 + x.abs()), "{what}[{i}]: {x} vs {y}");
    }
}

#[test]
fn permuting_nodes_permutes_weights() {
    // m > 2n, so the signed-slot readout's spare column takes part.
    let (n, m) = (3, 7);
    let input_perm = [2, 0, 1];
    let hidden_perm = [4, 2, 0, 6, 1, 3, 5];
    for readout in W1Readout::ALL {
        for complexity in ComplexityMeasure::ALL {
            let (a, b) = generate_original_and_permuted(&small(readout, complexity), n, m, &input_perm, &hidden_perm);
            // The bits are a sum over nodes and weights: permuting changes nothing.
            close(&a.bits.to_vec(), &b.bits.to_vec(), "bits");
            // Samples depend on the node noise alone where no weight noise is drawn.
            if matches!(complexity, ComplexityMeasure::NodeLatent | ComplexityMeasure::HierarchicalVae) {
                check_permuted(&a.sample, &b.sample, &input_perm, &hidden_perm);
            }
            check_permuted(&a.mean, &b.mean, &input_perm, &hidden_perm);
        }
    }
}

#[test]
fn the_hard_assignment_with_every_slot_option_is_equivariant_and_gives_each_neuron_one_slot() {
    // m = 2n + 3, so the spare column (mass 2, or 3 without the sum slot) and the sum slot
    // (mass 1) take part and can be told apart.
    let (n, m) = (3, 9);
    let input_perm = [1, 2, 0];
    let hidden_perm = [6, 2, 8, 4, 0, 7, 1, 5, 3];
    let plain = GeneratorConfig { hard_assignment: true, ..small_config(W1Readout::SignedSlotsSpare, GeneratorConfig::default().complexity) };
    let options = [
        GeneratorConfig { w1_readout: W1Readout::SignedSlots, ..plain.clone() },
        plain.clone(),
        GeneratorConfig { slot_messages: true, ..plain.clone() },
        GeneratorConfig { slot_messages: true, optional_slots: true, ..plain.clone() },
        GeneratorConfig { sum_slot: true, ..plain.clone() },
        GeneratorConfig { sum_slot: true, slot_messages: true, sum_slot_bias: 3.0, output_bias: OutputBias::NeuronWeights, ..plain.clone() },
        GeneratorConfig { sum_slot: true, spare_dense_rows: false, ..plain.clone() },
    ];
    for cfg in options {
        let (a, b) = generate_original_and_permuted(&Generator::new(cfg.clone(), Key::new(5)), n, m, &input_perm, &hidden_perm);
        check_permuted(&a.mean, &b.mean, &input_perm, &hidden_perm);
        // Each neuron reads one signed slot, or with the spare column a dense row (or
        // nothing, without dense rows), or the sum slot (a row of n equal positive weights); no slot is read by more
        // neurons than its capacity (1 with the spare column, ceil(m / 2n) = 2 without).
        let w1 = a.mean.w1.to_array();
        let capacity = if cfg.w1_readout == W1Readout::SignedSlotsSpare { 1 } else { 2 };
        for net in 0..2 {
            let mut readers = vec![0; 2 * n];
            let (mut uniform_rows, mut spare_rows) = (0, 0);
            for j in 0..m {
                let nonzero: Vec<usize> = (0..n).filter(|&i| w1[[net, j, i]] != 0.0).collect();
                if nonzero.len() == 1 {
                    let i = nonzero[0];
                    readers[2 * i + usize::from(w1[[net, j, i]] < 0.0)] += 1;
                } else if nonzero.is_empty() {
                    assert!(!cfg.spare_dense_rows, "net {net} neuron {j} reads nothing, but spare neurons have dense rows");
                    spare_rows += 1;
                } else {
                    assert!(cfg.w1_readout == W1Readout::SignedSlotsSpare && nonzero.len() == n, "net {net} neuron {j} reads inputs {nonzero:?}");
                    let uniform = (0..n).all(|i| w1[[net, j, i]] == w1[[net, j, 0]] && w1[[net, j, i]] > 0.0);
                    uniform_rows += usize::from(uniform);
                    spare_rows += usize::from(!uniform);
                }
            }
            // The spare column holds its mass (optional slots send displaced neurons there too).
            if capacity == 1 && !cfg.optional_slots {
                assert_eq!(spare_rows, m - 2 * n - usize::from(cfg.sum_slot), "net {net}: spare rows");
            }
            assert!(readers.iter().all(|&r| r <= capacity), "net {net}: slot readers {readers:?}");
            assert_eq!(uniform_rows, usize::from(cfg.sum_slot), "net {net}: rows with n equal positive weights");
            // Every slot is read, unless slots are optional (then a slot may stay empty).
            if !cfg.optional_slots {
                assert_eq!(readers.iter().sum::<usize>(), if capacity == 1 { 2 * n } else { m }, "net {net}: slot readers {readers:?}");
            }
        }
    }
}

/// `b` is `a` with inputs and hidden neurons permuted (new k is old `perm[k]`).
fn check_permuted(a: &BatchedWeights<f32>, b: &BatchedWeights<f32>, input_perm: &[usize], hidden_perm: &[usize]) {
    let (w1a, w1b) = (a.w1.to_array(), b.w1.to_array());
    for net in 0..a.count() {
        for (jn, &jo) in hidden_perm.iter().enumerate() {
            close(&[a.b1.to_array()[[net, jo]]], &[b.b1.to_array()[[net, jn]]], "b1");
            close(&[a.w2.to_array()[[net, jo]]], &[b.w2.to_array()[[net, jn]]], "w2");
            for (kn, &ko) in input_perm.iter().enumerate() {
                close(&[w1a[[net, jo, ko]]], &[w1b[[net, jn, kn]]], "W1");
            }
        }
    }
    close(&a.b2.to_vec(), &b.b2.to_vec(), "b2");
}

#[test]
fn works_for_sizes_never_seen_and_bits_fall_with_sigma_at_prior() {
    let g = small(W1Readout::Pointer, ComplexityMeasure::TensorSigma);
    for (n, m) in [(2, 6), (7, 21), (32, 96)] {
        let out = no_grad(|| g.generate(&[-2.0, 0.0], n, m, &Schedule::fixed(&g.config), Key::new(3)));
        assert_eq!(out.sample.w1.shape(), vec![2, m, n]);
        assert_eq!(out.bits.shape(), vec![2]);
        assert!(out.bits.to_vec().iter().all(|b| b.is_finite() && *b >= 0.0), "bits {:?}", out.bits.to_vec());
    }
}

#[test]
fn the_minus_slot_gate_scales_exactly_the_output_weights_of_minus_readers() {
    let (n, m) = (3, 8);
    let g = Generator::new(GeneratorConfig { hard_assignment: true, ..small_config(W1Readout::SignedSlotsSpare, ComplexityMeasure::NeuronSigma) }, Key::new(5));
    let identity: Vec<usize> = (0..m).collect();
    let (open, _) = generate_original_and_permuted(&g, n, m, &[0, 1, 2], &identity);
    let gate = Schedule { minus_slot_gate: vec![0.25, 0.25], ..Schedule::fixed(&g.config) };
    let (gated, _) = generate_original_and_permuted_under(&g, n, m, &[0, 1, 2], &identity, &gate);
    let (w1, w2, w2_gated) = (open.mean.w1.to_array(), open.mean.w2.to_array(), gated.mean.w2.to_array());
    assert_eq!(gated.mean.w1.to_array(), w1, "the gate leaves W1 alone");
    let mut minus_readers = 0;
    for net in 0..2 {
        for j in 0..m {
            let reads_minus = (0..n).filter(|&i| w1[[net, j, i]] != 0.0).count() == 1 && (0..n).any(|i| w1[[net, j, i]] < 0.0);
            minus_readers += usize::from(reads_minus);
            let factor = if reads_minus { 0.25 } else { 1.0 };
            assert!(abs_diff_eq!(w2_gated[[net, j]], factor * w2[[net, j]], epsilon = 1e-6), "net {net} neuron {j}: {} vs {factor} x {}", w2_gated[[net, j]], w2[[net, j]]);
        }
    }
    assert_eq!(minus_readers, 2 * n, "one reader per - slot in each network");
}

#[test]
fn the_sum_slot_bias_offsets_b1_of_exactly_the_uniform_row_neuron() {
    let (n, m) = (3, 9);
    let identity: Vec<usize> = (0..m).collect();
    let with_bias = |c: f64| {
        let cfg = GeneratorConfig { hard_assignment: true, sum_slot: true, sum_slot_bias: c, ..small_config(W1Readout::SignedSlotsSpare, ComplexityMeasure::NeuronSigma) };
        generate_original_and_permuted(&Generator::new(cfg, Key::new(5)), n, m, &[0, 1, 2], &identity).0
    };
    let (plain, offset) = (with_bias(0.0), with_bias(3.0));
    let w1 = plain.mean.w1.to_array();
    assert_eq!(offset.mean.w1.to_array(), w1, "the offset leaves W1 alone");
    let (b1, b1_offset) = (plain.mean.b1.to_array(), offset.mean.b1.to_array());
    for net in 0..2 {
        for j in 0..m {
            let uniform = (0..n).all(|i| w1[[net, j, i]] == w1[[net, j, 0]] && w1[[net, j, i]] > 0.0);
            let expected = if uniform { 3.0 } else { 0.0 };
            assert!(abs_diff_eq!(b1_offset[[net, j]] - b1[[net, j]], expected, epsilon = 1e-5), "net {net} neuron {j} (uniform row: {uniform}): b1 {} -> {}", b1[[net, j]], b1_offset[[net, j]]);
        }
    }
}
