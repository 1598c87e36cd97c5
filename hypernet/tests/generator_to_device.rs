//! Moving a generator between devices rebuilds it on a store of moved parameters
//! (`ParamStore::moved_to`). Without a GPU the move can be tested to the CPU itself:
//! the rebuilt generator must take over every parameter (the data-dependent output
//! bias included) and generate the same bits, and a trainer "moved" to the device it
//! is on is unchanged.

use autodiff::{Device, Key};
use hypernet::generator::{ComplexityMeasure, Generator, GeneratorConfig, GeneratorTrainConfig, GeneratorTrainer, Schedule};

fn config(complexity: ComplexityMeasure) -> GeneratorConfig {
    GeneratorConfig { width: 8, blocks: 2, heads: 2, noise_dim: 2, key_dim: 4, cond_width: 4, complexity, ..GeneratorConfig::default() }
}

fn bits(t: &autodiff::Tensor<f32>) -> Vec<u32> {
    t.to_vec().iter().map(|v| v.to_bits()).collect()
}

#[test]
fn a_rebuilt_generator_takes_over_every_parameter() {
    for complexity in ComplexityMeasure::ALL {
        let original = Generator::new(config(complexity), Key::new(5));
        original.init_output_bias(0.7, 6);
        let rebuilt = original.to_device(&Device::Cpu).unwrap();
        assert_eq!(rebuilt.params.device(), &Device::Cpu);
        let same: Vec<bool> = original.params.iter().zip(rebuilt.params.iter()).map(|((a, x), (b, y))| a == b && x.id() == y.id()).collect();
        assert!(same.iter().all(|s| *s), "{complexity:?}: the rebuilt generator must hold the very same parameters");
        let schedule = Schedule::fixed(&original.config);
        let (a, b) = (original.generate(&[-2.0, 0.5], 2, 6, &schedule, Key::new(9)), rebuilt.generate(&[-2.0, 0.5], 2, 6, &schedule, Key::new(9)));
        for (x, y) in a.sample.tensors().iter().zip(b.sample.tensors()).chain(a.mean.tensors().iter().zip(b.mean.tensors())) {
            assert_eq!(bits(x), bits(y), "{complexity:?}: generated weights differ");
        }
        assert_eq!(bits(&a.bits), bits(&b.bits), "{complexity:?}: bits differ");
    }
}

#[test]
fn moving_a_trainer_to_the_cpu_changes_nothing() {
    let mut c = GeneratorTrainConfig { steps: 3, networks: 2, points: 8, train_inputs: vec![2], generator: config(ComplexityMeasure::TensorSigma), ..GeneratorTrainConfig::default() };
    c.optimizer.warmup_steps = 1;
    let mut straight = GeneratorTrainer::new(c.clone()).unwrap();
    let mut moved = GeneratorTrainer::new(c).unwrap();
    moved.train_step().unwrap();
    let mut moved = moved.to_device(&Device::Cpu).unwrap();
    while !moved.finished() {
        moved.train_step().unwrap();
    }
    while !straight.finished() {
        straight.train_step().unwrap();
    }
    let all = |t: &GeneratorTrainer| t.generator.params.tensors().iter().map(bits).collect::<Vec<_>>();
    assert_eq!(all(&straight), all(&moved));
}
