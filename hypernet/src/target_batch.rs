//! B target networks evaluated at once, each on its own batch of inputs, as one
//! differentiable computation in the weights (and the inputs):
//!
//! ```text
//! U[b] = X[b] W1[b]^T + b1[b]      [N, m]   (one batched matmul over b)
//! Y[b] = act(U[b]) w2[b] + b2[b]   [N]
//! ```
//!
//! with `X [B, N, n]`, `W1 [B, m, n]`, `b1 [B, m]`, `w2 [B, m]`, `b2 [B]`, `Y [B, N]`.
//! [`forward`] takes the four weight tensors directly, so any producer of weights (a
//! trainer's parameters, a generator's samples) can call it; [`BatchedWeights`] holds
//! them and converts to and from [`TargetWeights`].

use crate::target::{Activation, TargetWeights};
use autodiff::{Float, Tensor};
use ndarray::{ArrayD, Axis, IxDyn};

/// Predictions `[B, N]` of B networks on inputs `x [B, N, n]`.
///
/// Panics, naming the shapes, if the tensors disagree on B, n or m.
pub fn forward<T: Float>(
    x: &Tensor<T>,
    w1: &Tensor<T>,
    b1: &Tensor<T>,
    w2: &Tensor<T>,
    b2: &Tensor<T>,
    activation: Activation,
) -> Tensor<T> {
    let (xs, w1s, b1s, w2s, b2s) = (x.shape(), w1.shape(), b1.shape(), w2.shape(), b2.shape());
    let consistent = xs.len() == 3
        && w1s.len() == 3
        && (w1s[0], w1s[2]) == (xs[0], xs[2])
        && b1s == [w1s[0], w1s[1]]
        && w2s == b1s
        && b2s == [w1s[0]];
    assert!(
        consistent,
        "target_batch::forward: need X [B, N, n], W1 [B, m, n], b1 [B, m], w2 [B, m], b2 [B]; \
         got X {xs:?}, W1 {w1s:?}, b1 {b1s:?}, w2 {w2s:?}, b2 {b2s:?}"
    );
    output_layer(&activate(&hidden_layer(x, w1, b1), activation), w2, b2)
}

/// The first layer `U[b] = X[b] W1[b]^T + b1[b]`: `[B, N, n] -> [B, N, m]` (shapes
/// as in [`forward`], which checks them).
pub fn hidden_layer<T: Float>(x: &Tensor<T>, w1: &Tensor<T>, b1: &Tensor<T>) -> Tensor<T> {
    let (b, m) = (w1.shape()[0], w1.shape()[1]);
    x.matmul(&w1.transpose(1, 2)).add(&b1.reshape(&[b, 1, m]))
}

/// The hidden activation, elementwise.
pub fn activate<T: Float>(u: &Tensor<T>, activation: Activation) -> Tensor<T> {
    match activation {
        Activation::Silu => u.silu(),
        Activation::Relu => u.relu(),
    }
}

/// The output layer `Y[b] = H[b] w2[b] + b2[b]`: `[B, N, m] -> [B, N]`.
pub fn output_layer<T: Float>(h: &Tensor<T>, w2: &Tensor<T>, b2: &Tensor<T>) -> Tensor<T> {
    let (b, n_points, m) = (h.shape()[0], h.shape()[1], h.shape()[2]);
    h.matmul(&w2.reshape(&[b, m, 1])).reshape(&[b, n_points]).add(&b2.reshape(&[b, 1]))
}

/// The weights of B target networks `n -> m -> 1` as tensors.
#[derive(Clone, Debug)]
pub struct BatchedWeights<T: Float> {
    /// `[B, m, n]`.
    pub w1: Tensor<T>,
    /// `[B, m]`.
    pub b1: Tensor<T>,
    /// `[B, m]`.
    pub w2: Tensor<T>,
    /// `[B]`.
    pub b2: Tensor<T>,
}

impl<T: Float> BatchedWeights<T> {
    /// Number of networks B.
    pub fn count(&self) -> usize {
        self.w1.shape()[0]
    }

    /// Predictions `[B, N]` on inputs `x [B, N, n]`.
    pub fn forward(&self, x: &Tensor<T>, activation: Activation) -> Tensor<T> {
        forward(x, &self.w1, &self.b1, &self.w2, &self.b2, activation)
    }

    /// The four tensors in the fixed order W1, b1, w2, b2.
    pub fn tensors(&self) -> [&Tensor<T>; 4] {
        [&self.w1, &self.b1, &self.w2, &self.b2]
    }

    /// Weights from the four tensors in the order of [`BatchedWeights::tensors`].
    pub fn from_tensors([w1, b1, w2, b2]: [Tensor<T>; 4]) -> Self {
        BatchedWeights { w1, b1, w2, b2 }
    }

    /// Constant tensors holding `nets` (which must share n and m).
    pub fn from_targets(nets: &[TargetWeights]) -> Self {
        let first = nets.first().expect("BatchedWeights::from_targets: no networks given");
        let (m, n) = first.w1.dim();
        if let Some((i, other)) = nets.iter().enumerate().find(|(_, w)| w.w1.dim() != (m, n)) {
            panic!("BatchedWeights::from_targets: network 0 is {n} -> {m} but network {i} is {} -> {}", other.inputs(), other.hidden());
        }
        let stack = |shape: &[usize], part: &dyn Fn(&TargetWeights) -> Vec<f32>| {
            let data = nets.iter().flat_map(part).map(|v| T::c(v as f64)).collect();
            Tensor::constant(ArrayD::from_shape_vec(IxDyn(shape), data).expect("stacked weights fill the shape"))
        };
        let b = nets.len();
        BatchedWeights {
            w1: stack(&[b, m, n], &|w| w.w1.iter().copied().collect()),
            b1: stack(&[b, m], &|w| w.b1.to_vec()),
            w2: stack(&[b, m], &|w| w.w2.to_vec()),
            b2: stack(&[b], &|w| vec![w.b2]),
        }
    }

    /// The networks' current values as [`TargetWeights`] (rounded to f32).
    pub fn to_targets(&self, activation: Activation) -> Vec<TargetWeights> {
        let f32s = |t: &Tensor<T>| t.value().mapv(|v| v.to_f64_lossless() as f32);
        let (w1, b1, w2, b2) = (f32s(&self.w1), f32s(&self.b1), f32s(&self.w2), f32s(&self.b2));
        (0..self.count())
            .map(|i| TargetWeights {
                w1: w1.index_axis(Axis(0), i).into_dimensionality::<ndarray::Ix2>().expect("W1 is [B, m, n]").to_owned(),
                b1: b1.index_axis(Axis(0), i).into_dimensionality::<ndarray::Ix1>().expect("b1 is [B, m]").to_owned(),
                w2: w2.index_axis(Axis(0), i).into_dimensionality::<ndarray::Ix1>().expect("w2 is [B, m]").to_owned(),
                b2: b2[[i]],
                activation,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff::gradcheck::{check_gradients, Tolerance};
    use autodiff::Key;

    fn random_nets(key: Key, count: usize, n: usize, m: usize, activation: Activation) -> Vec<TargetWeights> {
        (0..count)
            .map(|i| {
                let k = key.fold_in(i as u64).split(4);
                TargetWeights {
                    w1: k[0].normal::<f32>(&[m, n]).into_dimensionality().unwrap(),
                    b1: k[1].normal::<f32>(&[m]).into_dimensionality().unwrap(),
                    w2: k[2].normal::<f32>(&[m]).into_dimensionality().unwrap(),
                    b2: k[3].normal::<f32>(&[1])[[0]],
                    activation,
                }
            })
            .collect()
    }

    #[test]
    fn agrees_with_one_network_at_a_time() {
        for activation in [Activation::Silu, Activation::Relu] {
            let (b, n_points, n, m) = (3, 5, 4, 6);
            let nets = random_nets(Key::new(1), b, n, m, activation);
            let x: ArrayD<f32> = Key::new(2).normal(&[b, n_points, n]);
            let batched = BatchedWeights::<f32>::from_targets(&nets);
            let y = batched.forward(&Tensor::constant(x.clone()), activation).to_array();
            assert_eq!(y.shape(), &[b, n_points]);
            for (i, net) in nets.iter().enumerate() {
                let xi = x.index_axis(Axis(0), i).into_dimensionality::<ndarray::Ix2>().unwrap();
                let expect = net.forward(xi);
                for (got, want) in y.index_axis(Axis(0), i).iter().zip(&expect) {
                    assert!((got - want).abs() <= 1e-5 * (1.0 + want.abs()), "{activation:?} net {i}: {got} vs {want}");
                }
            }
            assert_eq!(batched.to_targets(activation), nets, "round trip through tensors");
        }
    }

    #[test]
    fn gradients_in_weights_and_inputs_match_finite_differences() {
        let (b, n_points, n, m) = (2, 3, 2, 3);
        let k = Key::new(5).split(5);
        let inputs: Vec<ArrayD<f64>> = vec![
            k[0].normal(&[b, n_points, n]),
            k[1].normal(&[b, m, n]),
            k[2].normal(&[b, m]),
            k[3].normal(&[b, m]),
            k[4].normal(&[b]),
        ];
        let f = |t: &[Tensor<f64>]| forward(&t[0], &t[1], &t[2], &t[3], &t[4], Activation::Silu);
        check_gradients(&f, &inputs, &Tolerance::default()).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    #[should_panic(expected = "W1 [2, 3, 5]")]
    fn mismatched_shapes_are_named() {
        let x = Tensor::<f32>::zeros(&[2, 4, 4]);
        forward(&x, &Tensor::zeros(&[2, 3, 5]), &Tensor::zeros(&[2, 3]), &Tensor::zeros(&[2, 3]), &Tensor::zeros(&[2]), Activation::Silu);
    }
}
