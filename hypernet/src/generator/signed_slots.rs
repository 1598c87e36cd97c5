//! The signed-slot W1 readouts ([`W1Readout::SignedSlots`], [`W1Readout::SignedSlotsSpare`]).
//!
//! Each input i offers two slots, `i+` and `i-` (reading `x_i` or `-x_i`). With gained
//! logits `L+ [B, m, n]` and `L- [B, m, n]` between hidden nodes and inputs, the
//! neurons' attention `P = Sinkhorn([L+, L-])` ([`super::sinkhorn`]) is balanced
//! over the 2n slots, and
//!
//! `W1[j, i] = r_j (P[j, i+] - P[j, i-])`  (r_j the neuron's magnitude).
//!
//! * `SignedSlots`: every slot receives mass m / 2n (1.5 at m = 3n). One-hot rows
//!   cannot meet fractional masses, so some neurons must split their attention.
//! * `SignedSlotsSpare`: when m > 2n, a spare column with logit `g s(H_j)` takes mass
//!   m - 2n and every slot mass 1, so one-hot rows can meet the balance. A neuron's
//!   spare attention buys a dense row `D[j, i] = u_j . v_i / sqrt(dk n)`:
//!   `W1[j, i] += P[j, spare] D[j, i]` (a linear-regime or random-direction neuron).
//!   With m <= 2n it is `SignedSlots`.
//!
//! Every slot of both signs is covered by the balance at every beta; what beta trades is
//! the neurons' magnitudes and output weights (a neuron can fall silent).
//!
//! With `hard_assignment`, `P` in the forward pass is the hard assignment Sinkhorn tends
//! to as the gain grows (one column per neuron, each slot at most `ceil(mass)` neurons),
//! with the soft `P`'s gradient ([`super::assignment`]).

use super::assignment;
use super::linear::Linear;
use super::readout::Bilinear;
use super::sinkhorn;
use crate::params::ParamStore;
use autodiff::{Float, Key, Tensor};

/// The spare column's logit head and dense rows.
pub struct SignedSlots<F: Float = f32> {
    spare: Option<(Linear<F>, Bilinear<F>)>,
    hard: bool,
}

impl<F: Float> SignedSlots<F> {
    /// `keys`: the spare head's and the dense rows'; `hard` for the hard assignment.
    pub fn new(store: &mut ParamStore<F>, d: usize, dk: usize, with_spare: bool, hard: bool, keys: [Key; 2]) -> SignedSlots<F> {
        SignedSlots {
            spare: with_spare.then(|| (Linear::new(store, "readout.w1_spare", d, 1, 1.0, 0.0, keys[0]), Bilinear::new(store, "readout.w1_dense", d, dk, keys[1]))),
            hard,
        }
    }

    /// The plan `P` from the soft one (Sinkhorn on `logits` with column `masses`): itself,
    /// or the straight-through hard assignment with capacities `ceil(mass)`.
    fn plan(&self, soft: Tensor<F>, logits: &Tensor<F>, masses: &[f64]) -> Tensor<F> {
        if !self.hard {
            return soft;
        }
        let capacity: Vec<usize> = masses.iter().map(|v| v.ceil() as usize).collect();
        assignment::straight_through(&soft, logits, &capacity)
    }

    /// `W1 [B, m, n]` from gained slot logits `plus`, `minus` `[B, m, n]`, hidden and
    /// input features and magnitudes `r [B, m, 1]`.
    #[allow(clippy::too_many_arguments)]
    pub fn w1(&self, plus: &Tensor<F>, minus: &Tensor<F>, hidden: &Tensor<F>, inputs: &Tensor<F>, magnitude: &Tensor<F>, gain: F, rounds: usize) -> Tensor<F> {
        let (m, n) = (plus.shape()[1], plus.shape()[2]);
        let signed = |p: &Tensor<F>| p.narrow(2, 0, n).sub(&p.narrow(2, n, n)).mul(magnitude);
        match &self.spare {
            Some((spare, dense)) if m > 2 * n => {
                let spare_logit = spare.forward(hidden).mul_scalar(gain);
                let mut masses = vec![1.0; 2 * n];
                masses.push((m - 2 * n) as f64);
                let logits = Tensor::concat(&[plus, minus, &spare_logit], 2);
                let p = self.plan(sinkhorn::with_masses(&logits, &masses, rounds), &logits, &masses);
                let rows = dense.forward(hidden, inputs).mul_scalar(F::one() / F::c(n as f64).sqrt());
                signed(&p).add(&p.narrow(2, 2 * n, 1).mul(&rows))
            }
            _ => {
                let logits = Tensor::concat(&[plus, minus], 2);
                signed(&self.plan(sinkhorn::even_columns(&logits, rounds), &logits, &vec![m as f64 / (2 * n) as f64; 2 * n]))
            }
        }
    }
}
