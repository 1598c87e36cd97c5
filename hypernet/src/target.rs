//! The target network: an MLP `n -> m -> 1`,
//! `y(x) = sum_j w2_j act(W1_j . x + b1_j) + b2`, with `act` swish (SiLU,
//! `silu(u) = u * sigmoid(u)`) by default or relu.
//!
//! [`TargetWeights`] is the plain struct every interpretation pass reads.

use ndarray::{Array1, Array2, ArrayView2};

/// Hidden activation of a target network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Activation {
    /// `silu(u) = u / (1 + e^-u)` (swish), the paper's choice.
    #[default]
    Silu,
    /// `relu(u) = max(u, 0)`.
    Relu,
}

impl Activation {
    /// Applies the activation to one pre-activation.
    pub fn apply(self, u: f32) -> f32 {
        match self {
            Activation::Silu => u / (1.0 + (-u).exp()),
            Activation::Relu => u.max(0.0),
        }
    }

    /// Name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Silu => "silu",
            Activation::Relu => "relu",
        }
    }

    /// Parses a name written by [`Activation::name`].
    pub fn from_name(s: &str) -> Option<Activation> {
        match s {
            "silu" | "swish" => Some(Activation::Silu),
            "relu" => Some(Activation::Relu),
            _ => None,
        }
    }
}

/// Weights of one target MLP `n -> m -> 1`.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetWeights {
    /// `m x n` input weights; row `j` is hidden neuron `j`'s input weights.
    pub w1: Array2<f32>,
    /// `m` hidden biases.
    pub b1: Array1<f32>,
    /// `m` output weights.
    pub w2: Array1<f32>,
    /// Output bias.
    pub b2: f32,
    pub activation: Activation,
}

/// The largest weight magnitude a network may have: its squares (order parameters) and
/// products with inputs and output weights stay far inside f32's range (3.4e38).
pub const MAX_WEIGHT: f32 = 1e9;

impl TargetWeights {
    /// Input size `n`.
    pub fn inputs(&self) -> usize {
        self.w1.ncols()
    }

    /// Hidden width `m`.
    pub fn hidden(&self) -> usize {
        self.w1.nrows()
    }

    /// Number of weights, `m (n + 2) + 1` (W1, b1, w2 and b2).
    pub fn weight_count(&self) -> usize {
        self.hidden() * (self.inputs() + 2) + 1
    }

    /// Checks that the four tensors agree on `n` and `m`, naming what differs, that the
    /// network has at least one input and one hidden neuron, and that every weight is
    /// finite and at most [`MAX_WEIGHT`] in magnitude (larger ones overflow the
    /// analyses' squares and products in f32).
    pub fn validate(&self) -> Result<(), String> {
        let (m, n) = self.w1.dim();
        if n == 0 || m == 0 {
            return Err(format!("W1 is {m}x{n} (m x n): a network needs at least one input and one hidden neuron"));
        }
        if self.b1.len() != m || self.w2.len() != m {
            return Err(format!(
                "W1 is {}x{} (m x n) but b1 has {} and w2 has {} elements; both need m = {m}",
                m, self.w1.ncols(), self.b1.len(), self.w2.len()
            ));
        }
        let finite = self.w1.iter().chain(&self.b1).chain(&self.w2).all(|v| v.is_finite()) && self.b2.is_finite();
        if !finite {
            return Err("the weights contain NaN or infinite values".into());
        }
        let largest = self.w1.iter().chain(&self.b1).chain(&self.w2).chain([&self.b2]).fold(0.0f32, |a, v| a.max(v.abs()));
        if largest > MAX_WEIGHT {
            return Err(format!("a weight of magnitude {largest:e} is above {MAX_WEIGHT:e}, where the analyses overflow f32; rescale or regenerate the network"));
        }
        Ok(())
    }

    /// Hidden pre-activations `U = X W1^T + b1` for a batch `X` of shape `[N, n]`.
    pub fn preactivations(&self, x: ArrayView2<f32>) -> Array2<f32> {
        x.dot(&self.w1.t()) + &self.b1
    }

    /// Outputs `y = act(U) w2 + b2` for a batch `X` of shape `[N, n]`.
    pub fn forward(&self, x: ArrayView2<f32>) -> Array1<f32> {
        let h = self.preactivations(x).mapv(|u| self.activation.apply(u));
        h.dot(&self.w2) + self.b2
    }
}
