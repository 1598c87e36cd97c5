//! The output bias read off the neurons' own weights ([`OutputBias::NeuronWeights`]).
//!
//! The MSE-optimal output bias of a network is
//! `b2* = E[y] - sum_j w2_j E_x[swish(W1_j . x + b1_j)]`: a sum over neurons of terms
//! that depend on each neuron's own weights (for x ~ N(0, I), on `w2_j`, `b1_j` and
//! `|W1_j|` alone), plus `E[y]`, which grows with n as the neurons do. So
//!
//! `b2 = sum_j kappa(w2_j, b1_j, rho_j, w2_j rho_j)`,  `rho_j = sqrt(|W1_j|^2 + 1e-8)`,
//!
//! with `kappa` a one-hidden-layer swish MLP (width [`KAPPA_WIDTH`]) of the neuron's mean
//! weights (differentiated end to end, like every other readout).
//! A network's neurons are what extrapolates to unseen n (`NOTES.md`, E23: refitting b2
//! alone brings n = 24 from 0.11 to 0.004); the node features the default
//! `b2 = c sum_j head(H_j) + out(o)` reads drift with n. E40 in `NOTES.md`.

use super::linear::Linear;
use crate::params::ParamStore;
use autodiff::{Float, Key, Tensor};
use serde::{Deserialize, Serialize};

/// How the generator reads the output bias b2.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutputBias {
    /// `b2 = c sum_j head(H_j) + out(o)` from the node features (`readout.rs`).
    #[default]
    NodeSum,
    /// `b2 = sum_j kappa(neuron j's weights)` (this file).
    NeuronWeights,
}

/// Hidden width of `kappa`.
pub const KAPPA_WIDTH: usize = 16;

/// The parameters of `kappa`.
pub struct NeuronBias<F: Float = f32> {
    hidden: Linear<F>,
    out: Linear<F>,
}

impl<F: Float> NeuronBias<F> {
    pub fn new(store: &mut ParamStore<F>, key: Key) -> NeuronBias<F> {
        let k = key.split(2);
        NeuronBias {
            hidden: Linear::new(store, "readout.b2_kappa.hidden", 4, KAPPA_WIDTH, 1.0, 0.0, k[0]),
            out: Linear::new(store, "readout.b2_kappa.out", KAPPA_WIDTH, 1, 1.0, 0.0, k[1]),
        }
    }

    /// Sets each neuron's constant share to `mean_target / m`. kappa's output weights start
    /// random (gain 1), so a fresh generator's b2 is `mean_target` plus a random offset of the
    /// same sign for every neuron (20.1, 24.4, 11.8 against 12.75 for three seeds at n = 16):
    /// kept as E40 ran; starting them at 0 is untried (`NOTES.md`, E48–E50).
    pub fn init(&self, mean_target: f64, m: usize) {
        let share = F::c(mean_target / m as f64);
        self.out.bias.update(|b| b[0] = share);
    }

    /// `b2 [B]` from the mean weights `W1 [B, m, n]`, `b1 [B, m]`, `w2 [B, m]`.
    pub fn forward(&self, w1: &Tensor<F>, b1: &Tensor<F>, w2: &Tensor<F>) -> Tensor<F> {
        let (b, m) = (b1.shape()[0], b1.shape()[1]);
        let column = |t: &Tensor<F>| t.reshape(&[b, m, 1]);
        let rho = w1.square().sum(2, true).add_scalar(F::c(1e-8)).sqrt();
        let (w2, b1) = (column(w2), column(b1));
        let features = Tensor::concat(&[&w2, &b1, &rho, &w2.mul(&rho)], 2);
        self.out.forward(&self.hidden.forward(&features).silu()).reshape(&[b, m]).sum(1, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Axis, Slice};

    fn network(m: usize, n: usize, key: u64) -> [Tensor<f64>; 3] {
        let k = Key::new(key).split(3);
        [Tensor::constant(k[0].normal::<f64>(&[1, m, n])), Tensor::constant(k[1].normal::<f64>(&[1, m])), Tensor::constant(k[2].normal::<f64>(&[1, m]))]
    }

    #[test]
    fn b2_is_one_term_per_neuron() {
        let kappa = NeuronBias::<f64>::new(&mut ParamStore::new(), Key::new(1));
        let [w1, b1, w2] = network(5, 3, 2);
        let one = kappa.forward(&w1, &b1, &w2).to_array()[[0]];
        // The same neurons twice (a network of 2m neurons): twice the bias.
        let twice = |t: &Tensor<f64>| Tensor::concat(&[t, t], 1);
        let doubled = kappa.forward(&twice(&w1), &twice(&b1), &twice(&w2)).to_array()[[0]];
        assert!((doubled - 2.0 * one).abs() < 1e-12 * (1.0 + one.abs()), "{doubled} != 2 x {one}");
        // Permuting the neurons leaves it unchanged.
        let reversed = |t: &Tensor<f64>, m| Tensor::constant(t.to_array().slice_axis(Axis(1), Slice::new(0, Some(m), -1)).to_owned());
        let permuted = kappa.forward(&reversed(&w1, 5), &reversed(&b1, 5), &reversed(&w2, 5)).to_array()[[0]];
        assert!((permuted - one).abs() < 1e-12 * (1.0 + one.abs()));
    }

    #[test]
    fn init_sets_each_neurons_share_of_the_mean_target() {
        let kappa = NeuronBias::<f64>::new(&mut ParamStore::new(), Key::new(1));
        kappa.init(12.0, 48);
        assert_eq!(kappa.out.bias.to_array()[[0]], 0.25);
    }
}
