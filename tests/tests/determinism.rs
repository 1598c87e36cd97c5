//! Determinism: the same seed gives bit-identical training, run to run and at any
//! rayon thread count.
//!
//! The workload: 8 independent MLPs `4 -> 16 -> 1` (silu), each fitting the L1 norm
//! `y = |x_1| + ... + |x_4|` on its own 4096 points drawn with a [`Key`], by mean
//! squared error, trained together for 50 steps of AdamW with gradient clipping and
//! a warmup + cosine schedule. The sizes put every kernel on its parallel path: the
//! hidden layer has 8 x 4096 x 16 = 524288 elements (32 chunks of 16384), the
//! predictions 32768 (2 chunks), and every matrix product is batched over the 8
//! networks with at least 2^16 flops.

use autodiff::optim::{clip_grad_norm, Adam, AdamConfig, Optimizer, WarmupCosine};
use autodiff::{Key, Tensor};
use ndarray::{ArrayD, Axis, IxDyn};

const NETS: usize = 8;
const POINTS: usize = 4096;
const INPUTS: usize = 4;
const HIDDEN: usize = 16;
const STEPS: u64 = 50;

/// What a run leaves behind: the final parameters and the loss at each step, as bits.
#[derive(Debug, PartialEq)]
struct Run {
    params: Vec<u32>,
    losses: Vec<u32>,
}

impl Run {
    fn loss(&self, step: usize) -> f32 {
        f32::from_bits(self.losses[step])
    }
}

/// Normal weights scaled by `1/sqrt(fan_in)`.
fn weights(key: Key, shape: &[usize], fan_in: usize) -> Tensor<f32> {
    Tensor::param(key.normal::<f32>(shape) / (fan_in as f32).sqrt())
}

fn train(seed: u64) -> Run {
    let keys = Key::new(seed).split(3);
    let x = keys[0].uniform::<f32>(&[NETS, POINTS, INPUTS], -1.0, 1.0);
    let y = x.map_axis(Axis(2), |row| row.iter().map(|v| v.abs()).sum::<f32>()).insert_axis(Axis(2));
    let (x, y) = (Tensor::constant(x), Tensor::constant(y));
    let params = vec![
        weights(keys[1], &[NETS, INPUTS, HIDDEN], INPUTS),
        Tensor::param(ArrayD::zeros(IxDyn(&[NETS, 1, HIDDEN]))),
        weights(keys[2], &[NETS, HIDDEN, 1], HIDDEN),
        Tensor::param(ArrayD::zeros(IxDyn(&[NETS, 1, 1]))),
    ];
    let mut opt = Adam::new(params, AdamConfig::adamw(1e-2, 1e-4));
    let schedule = WarmupCosine { peak_lr: 1e-2, floor_lr: 1e-3, warmup_steps: 5, total_steps: STEPS };
    let mut losses = Vec::new();
    for step in 0..STEPS {
        opt.zero_grad();
        let [w1, b1, w2, b2] = opt.params() else { unreachable!() };
        let hidden = x.matmul(w1).add(b1).silu();
        let loss = hidden.matmul(w2).add(b2).mse(&y);
        loss.backward();
        losses.push(loss.item().to_bits());
        clip_grad_norm(opt.params(), 1.0);
        opt.set_lr(schedule.lr(step));
        opt.step();
    }
    let params = opt.params().iter().flat_map(|p| p.to_vec()).map(f32::to_bits).collect();
    Run { params, losses }
}

fn on_threads<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool").install(f)
}

#[test]
fn training_twice_gives_identical_bits() {
    let (first, second) = (train(7), train(7));
    assert!(first == second, "two runs with seed 7 differ");
    assert!(
        first.loss(STEPS as usize - 1) < 0.5 * first.loss(0),
        "training did not learn: loss {} -> {}",
        first.loss(0),
        first.loss(STEPS as usize - 1)
    );
    assert_ne!(train(8).params, first.params, "another seed gave the same parameters");
}

#[test]
fn one_and_two_threads_give_identical_bits() {
    let one = on_threads(1, || train(7));
    let two = on_threads(2, || {
        assert_eq!(rayon::current_num_threads(), 2);
        train(7)
    });
    let differing = one.params.iter().zip(&two.params).filter(|(a, b)| a != b).count();
    assert_eq!(differing, 0, "{differing} of {} parameters differ between 1 and 2 threads", one.params.len());
    assert_eq!(one.losses, two.losses, "loss curves differ between 1 and 2 threads");
}
