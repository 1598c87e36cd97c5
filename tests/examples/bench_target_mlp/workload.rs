//! The benchmarked workload: `B` target networks `n -> m -> 1` with swish, network `b`
//! on its own `N` Gaussian inputs `X_b` (`[N, n]`), trained against the L1 norm
//! `t_bi = sum_k |x_bik|`:
//!
//! ```text
//! U_b = X_b W1_b^T + b1_b            [N, m]
//! H_b = silu(U_b)                    silu(u) = u sigmoid(u)
//! y_b = H_b w2_b + b2_b              [N, 1]
//! L   = 1/(B N) sum_{b,i} (y_bi - t_bi)^2
//! ```
//!
//! and the gradients of `L` for all four weight tensors, in f32.

use autodiff::Key;
use ndarray::{ArrayD, Axis};

/// Problem sizes.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// Networks `B`.
    pub batch: usize,
    /// Points per network `N`.
    pub points: usize,
    /// Inputs `n`.
    pub inputs: usize,
    /// Hidden width `m`.
    pub hidden: usize,
}

/// The sizes at the heart of the hypernetwork's training step.
pub const SIZES: Sizes = Sizes { batch: 16, points: 1024, inputs: 16, hidden: 48 };

impl Sizes {
    /// FLOPs in the four matrix products of one step (2 per multiply-add):
    /// forward `X W1^T` (2BNnm) and `H w2` (2BNm); backward `dH = g w2^T` (2BNm),
    /// `dw2 = H^T g` (2BNm), `dW1 = dU^T X` (2BNnm). No `dX`: the inputs are constants.
    pub fn gemm_flops(&self) -> u64 {
        let (b, n, i, m) = (self.batch as u64, self.points as u64, self.inputs as u64, self.hidden as u64);
        4 * b * n * i * m + 6 * b * n * m
    }

    /// Elementwise FLOPs of one step, an exp counted as one: per hidden unit and point
    /// (BNm) bias add 1, silu 4 (neg, exp, add, div), its VJP 5, bias gradient 1;
    /// per point (BN) bias add 1, difference 1, square 1, sum 1, VJP 2, bias gradient 1.
    pub fn elementwise_flops(&self) -> u64 {
        let (b, n, m) = (self.batch as u64, self.points as u64, self.hidden as u64);
        11 * b * n * m + 7 * b * n
    }

    /// All FLOPs of one step.
    pub fn flops(&self) -> u64 {
        self.gemm_flops() + self.elementwise_flops()
    }
}

/// Inputs, targets and initial weights, all row-major f32.
pub struct Workload {
    pub sizes: Sizes,
    /// `[B, N, n]` standard normal.
    pub x: ArrayD<f32>,
    /// `[B, N, 1]`, the L1 norm of each input row.
    pub target: ArrayD<f32>,
    /// `[B, m, n]`, normal with standard deviation `1/sqrt(n)`.
    pub w1: ArrayD<f32>,
    /// `[B, 1, m]`, normal with standard deviation 0.1.
    pub b1: ArrayD<f32>,
    /// `[B, m, 1]`, normal with standard deviation `1/sqrt(m)`.
    pub w2: ArrayD<f32>,
    /// `[B, 1, 1]`, zero.
    pub b2: ArrayD<f32>,
}

impl Workload {
    /// Draws every tensor from `key`.
    pub fn new(sizes: Sizes, key: Key) -> Workload {
        let Sizes { batch, points, inputs, hidden } = sizes;
        let keys = key.split(4);
        let x: ArrayD<f32> = keys[0].normal(&[batch, points, inputs]);
        let target = x.map(|v| v.abs()).sum_axis(Axis(2)).insert_axis(Axis(2));
        let scaled = |k: Key, shape: &[usize], std: f32| k.normal::<f32>(shape) * std;
        Workload {
            sizes,
            target,
            w1: scaled(keys[1], &[batch, hidden, inputs], 1.0 / (inputs as f32).sqrt()),
            b1: scaled(keys[2], &[batch, 1, hidden], 0.1),
            w2: scaled(keys[3], &[batch, hidden, 1], 1.0 / (hidden as f32).sqrt()),
            b2: ArrayD::zeros(vec![batch, 1, 1]),
            x,
        }
    }
}

/// The loss and the gradients of one step, in the weights' shapes.
pub struct Gradients {
    pub loss: f32,
    pub w1: ArrayD<f32>,
    pub b1: ArrayD<f32>,
    pub w2: ArrayD<f32>,
    pub b2: ArrayD<f32>,
}

impl Gradients {
    /// The largest difference from `other` over the loss and all gradients, each
    /// relative to the largest magnitude of that tensor in `other`.
    pub fn max_relative_difference(&self, other: &Gradients) -> f32 {
        let rel = |a: &ArrayD<f32>, b: &ArrayD<f32>| {
            assert_eq!(a.shape(), b.shape(), "gradients of shapes {:?} and {:?} cannot be compared", a.shape(), b.shape());
            let scale = b.iter().fold(f32::MIN_POSITIVE, |s, v| s.max(v.abs()));
            a.iter().zip(b).fold(0.0f32, |d, (x, y)| d.max((x - y).abs())) / scale
        };
        let loss = (self.loss - other.loss).abs() / other.loss.abs().max(f32::MIN_POSITIVE);
        [rel(&self.w1, &other.w1), rel(&self.b1, &other.b1), rel(&self.w2, &other.w2), rel(&self.b2, &other.b2)]
            .into_iter()
            .fold(loss, f32::max)
    }
}
