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
//!   With `spare_dense_rows` off a spare neuron's row is 0 (its weight noise alone can
//!   give it a direction).
//!   With m <= 2n it is `SignedSlots`.
//!
//! Unless slots are optional (below), every slot of both signs is covered by the balance
//! at every beta; what beta trades is the neurons' magnitudes and output weights (a
//! neuron can fall silent).
//!
//! With `hard_assignment`, `P` in the forward pass is the hard assignment Sinkhorn tends
//! to as the gain grows (one column per neuron, each slot at most `ceil(mass)` neurons),
//! with the soft `P`'s gradient ([`super::assignment`]).
//!
//! With `slot_messages`, each neuron learns which slot it read before its heads (b1, w2,
//! magnitude, sigma, and a spare neuron's dense row) are read: `H_j <- H_j + sum_k P[j, k] S_k`, with slot features
//! `S_{i+} = A+ X_i`, `S_{i-} = A- X_i` and `S_spare = A_s o` (o the output node). A
//! neuron's magnitude, output weight and sigma can then depend on the sign and input
//! of its slot, which the node features alone do not tell it (a pudding silences one
//! sign per input and doubles the other; `NOTES.md`, E25).
//!
//! With `sum_slot` (and m >= 2n + 2) one more column of mass 1 sits between the slots and
//! the spare column: the neuron that takes it reads every input with the same weight,
//! `W1[j, i] += r_j P[j, sum]` (logit `g t(H_j)`), so a uniform row (a pudding's
//! linear-regime neuron, `docs/paper.md` §4.2) is one slot's choice rather than a spare neuron
//! singled out by its noise (`NOTES.md`, E38). The spare column's mass becomes m - 2n - 1.
//!
//! With `optional_slots` (and the spare column) a slot need not be read: a vacancy row
//! of mass 2n competes with the neurons for the slots (see [`SignedSlots::plan`]), and
//! the neurons it displaces go to the spare column (`NOTES.md`, E33–E35).
//!
//! [`W1Readout::SignedSlots`]: super::config::W1Readout::SignedSlots
//! [`W1Readout::SignedSlotsSpare`]: super::config::W1Readout::SignedSlotsSpare

use super::assignment;
use super::linear::Linear;
use super::bilinear::Bilinear;
use super::sinkhorn;
use crate::params::{constant_on, ParamStore};
use autodiff::{Float, Key, Tensor};

/// The slot readouts' parameters.
pub struct SignedSlots<F: Float = f32> {
    plus: Bilinear<F>,
    minus: Bilinear<F>,
    /// The spare column's logit head and dense rows (`None` with `spare_dense_rows` off).
    spare: Option<(Linear<F>, Option<Bilinear<F>>)>,
    hard: bool,
    /// `A+`, `A-`, `A_s` of the slot messages.
    messages: Option<[Linear<F>; 3]>,
    /// The vacancy logits' head on the input nodes (optional slots).
    vacancy: Option<Linear<F>>,
    /// The sum slot's logit head on the hidden nodes, and its slot message's map (of the
    /// output node) when slot messages are on.
    sum: Option<(Linear<F>, Option<Linear<F>>)>,
    /// The sum-slot neuron's learnt b1 offset `[1]` (`sum_slot_bias`).
    sum_bias: Option<Tensor<F>>,
}

/// Which slot readout options are on: `spare` for `signed-slots-spare`, the others the
/// `GeneratorConfig` fields of the same names.
#[derive(Clone, Copy, Debug, Default)]
pub struct SlotOptions {
    pub spare: bool,
    pub hard_assignment: bool,
    pub slot_messages: bool,
    pub optional_slots: bool,
    pub sum_slot: bool,
    pub sum_slot_bias: f64,
    pub spare_dense_rows: bool,
}


impl<F: Float> SignedSlots<F> {
    /// `keys`: the `+` and `-` logit forms', the spare head's and the dense rows'; the
    /// slot messages' and the vacancy head's are derived from the first two.
    pub fn new(store: &mut ParamStore<F>, d: usize, dk: usize, options: SlotOptions, keys: [Key; 4]) -> SignedSlots<F> {
        let plus = Bilinear::new(store, "readout.w1", d, dk, keys[0]);
        let minus = Bilinear::new(store, "readout.w1_sign", d, dk, keys[1]);
        let spare = options.spare.then(|| {
            let dense = options.spare_dense_rows.then(|| Bilinear::new(store, "readout.w1_dense", d, dk, keys[3]));
            (Linear::new(store, "readout.w1_spare", d, 1, 1.0, 0.0, keys[2]), dense)
        });
        let message = |store: &mut ParamStore<F>, name: &str, i: u64| Linear::new(store, &format!("readout.slot_message.{name}"), d, d, 1.0, 0.0, keys[0].fold_in(i));
        let messages = options.slot_messages.then(|| [message(store, "plus", 1), message(store, "minus", 2), message(store, "spare", 3)]);
        let vacancy = (options.optional_slots && options.spare).then(|| Linear::new(store, "readout.slot_vacancy", d, 2, 1.0, 0.0, keys[1].fold_in(1)));
        let sum = (options.sum_slot && options.spare).then(|| {
            let logit = Linear::new(store, "readout.w1_sum", d, 1, 1.0, 0.0, keys[2].fold_in(1));
            (logit, options.slot_messages.then(|| message(store, "sum", 4)))
        });
        let sum_bias = sum.as_ref().filter(|_| options.sum_slot_bias != 0.0).map(|_| store.constant("readout.w1_sum_bias", &[1], F::c(options.sum_slot_bias)));
        SignedSlots { plus, minus, spare, hard: options.hard_assignment, messages, vacancy, sum, sum_bias }
    }

    /// Whether the spare column takes part at these sizes.
    fn spare_at(&self, n: usize, m: usize) -> Option<&(Linear<F>, Option<Bilinear<F>>)> {
        self.spare.as_ref().filter(|_| m > 2 * n)
    }

    /// Whether the sum slot takes part at these sizes (it leaves the spare column at
    /// least one neuron).
    fn sum_at(&self, n: usize, m: usize) -> Option<&(Linear<F>, Option<Linear<F>>)> {
        self.sum.as_ref().filter(|_| m > 2 * n + 1)
    }

    /// The plan `P [B, m, 2n (+ 2)]` over the slots (and the sum slot and spare column) from hidden
    /// features `[B, m, d]` and input features `[B, n, d]`, at gain `gain`.
    ///
    /// With optional slots a vacancy row joins the m neurons: it has mass 2n, logits
    /// `g v(X_i)_{+,-}` to the slots and 0 to the spare column, whose mass becomes m.
    /// Every slot then holds one neuron or a share of vacancy; the vacancy a slot does
    /// not take sits in the spare column (2n - k of it when k slots are empty, beside
    /// the m - 2n + k neurons there), so a slot is left empty when its vacancy logit wins
    /// over the neurons'.
    pub fn plan(&self, hidden: &Tensor<F>, inputs: &Tensor<F>, gain: F, rounds: usize) -> Tensor<F> {
        let (m, n) = (hidden.shape()[1], inputs.shape()[1]);
        let (plus, minus) = (self.plus.forward(hidden, inputs).mul_scalar(gain), self.minus.forward(hidden, inputs).mul_scalar(gain));
        let Some((spare, _)) = self.spare_at(n, m) else {
            let logits = Tensor::concat(&[&plus, &minus], 2);
            let masses = vec![m as f64 / (2 * n) as f64; 2 * n];
            return self.harden(sinkhorn::even_columns(&logits, rounds), &logits, &vec![1.0; m], &masses);
        };
        let spare_logits = spare.forward(hidden).mul_scalar(gain);
        let sum_logits = self.sum_at(n, m).map(|(sum, _)| sum.forward(hidden).mul_scalar(gain));
        let mut parts = vec![&plus, &minus];
        parts.extend(sum_logits.as_ref());
        parts.push(&spare_logits);
        let neurons = Tensor::concat(&parts, 2);
        // Every slot (the sum slot too) has mass 1; the spare column takes the rest.
        let mut columns = vec![1.0; 2 * n + usize::from(sum_logits.is_some())];
        // Optional slots and the sum slot exclude each other (`GeneratorConfig::validate`).
        let Some(vacancy) = self.vacancy.as_ref().filter(|_| sum_logits.is_none()) else {
            columns.push((m - columns.len()) as f64);
            return self.harden(sinkhorn::with_masses(&neurons, &columns, rounds), &neurons, &vec![1.0; m], &columns);
        };
        let b = hidden.shape()[0];
        let v = vacancy.forward(inputs).mul_scalar(gain).transpose(1, 2); // [B, 2, n]
        let unused = constant_on(&hidden.device(), ndarray::ArrayD::zeros(vec![b, 1, 1]));
        let vacancy_row = Tensor::concat(&[&v.narrow(1, 0, 1), &v.narrow(1, 1, 1), &unused], 2);
        let logits = Tensor::concat(&[&neurons, &vacancy_row], 1);
        columns.push(m as f64);
        let mut rows = vec![1.0; m];
        rows.push((2 * n) as f64);
        let soft = sinkhorn::with_row_and_column_masses(&logits, &rows, &columns, rounds);
        self.harden(soft, &logits, &rows, &columns).narrow(1, 0, m)
    }

    /// The soft plan, or with the hard assignment its straight-through version (rows
    /// and columns taking their masses as counts and capacities, rounded up).
    fn harden(&self, soft: Tensor<F>, logits: &Tensor<F>, rows: &[f64], columns: &[f64]) -> Tensor<F> {
        if !self.hard {
            return soft;
        }
        let counts = |masses: &[f64]| -> Vec<usize> { masses.iter().map(|v| v.ceil() as usize).collect() };
        assignment::straight_through(&soft, logits, &counts(rows), &counts(columns))
    }

    /// The hidden features with their slot messages `sum_k P[j, k] S_k` added, or `None`
    /// without `slot_messages`; `output` is the output node's features `[B, 1, d]`.
    pub fn informed(&self, hidden: &Tensor<F>, inputs: &Tensor<F>, output: &Tensor<F>, plan: &Tensor<F>) -> Option<Tensor<F>> {
        let [plus, minus, spare] = self.messages.as_ref()?;
        let (m, n) = (hidden.shape()[1], inputs.shape()[1]);
        let mut slots = vec![plus.forward(inputs), minus.forward(inputs)];
        if let Some((_, message)) = self.sum_at(n, m) {
            slots.push(message.as_ref().expect("the sum slot has a message with slot messages").forward(output));
        }
        if self.spare_at(n, m).is_some() {
            slots.push(spare.forward(output));
        }
        Some(hidden.add(&plan.matmul(&Tensor::concat(&slots.iter().collect::<Vec<_>>(), 1))))
    }

    /// `b1_j + P[j, sum] c` with the learnt offset c (`sum_slot_bias`), or `b1 [B, m]`
    /// unchanged without it.
    pub fn offset_b1(&self, b1: Tensor<F>, plan: &Tensor<F>, n: usize) -> Tensor<F> {
        let m = plan.shape()[1];
        match (&self.sum_bias, self.sum_at(n, m)) {
            (Some(offset), Some(_)) => b1.add(&plan.narrow(2, 2 * n, 1).reshape(&[plan.shape()[0], m]).mul(offset)),
            _ => b1,
        }
    }

    /// `w2_bj (1 - (1 - alpha_b) q_bj)` with `q_bj = sum_i P[b, j, i-]` (held constant),
    /// the share of network b's neuron j on the `-` slots: with the hard assignment, the
    /// `-` readers' output weights times network b's `alpha_b`, the others' unchanged
    /// (the pudding curriculum's gate). `alpha` holds one factor per network, or none
    /// (every factor 1).
    pub fn gate_minus_readers(&self, w2: Tensor<F>, plan: &Tensor<F>, n: usize, alpha: &[F]) -> Tensor<F> {
        if alpha.iter().all(|a| *a == F::one()) {
            return w2;
        }
        let (b, m) = (plan.shape()[0], plan.shape()[1]);
        assert_eq!(alpha.len(), b, "gate_minus_readers: {} gates for {b} networks", alpha.len());
        let share = plan.detach().narrow(2, n, n).sum(2, false).reshape(&[b, m]);
        let alpha_minus_one = constant_on(&plan.device(), ndarray::ArrayD::from_shape_fn(ndarray::IxDyn(&[b, 1]), |i| alpha[i[0]] - F::one()));
        w2.mul(&share.mul(&alpha_minus_one).add_scalar(F::one()))
    }

    /// `W1 [B, m, n]` from the plan, hidden and input features and magnitudes
    /// `r [B, m, 1]`.
    pub fn w1(&self, plan: &Tensor<F>, hidden: &Tensor<F>, inputs: &Tensor<F>, magnitude: &Tensor<F>) -> Tensor<F> {
        let (m, n) = (hidden.shape()[1], inputs.shape()[1]);
        let mut w1 = plan.narrow(2, 0, n).sub(&plan.narrow(2, n, n)).mul(magnitude);
        if self.sum_at(n, m).is_some() {
            // `r_j P[j, sum]` broadcast over the n inputs.
            w1 = w1.add(&plan.narrow(2, 2 * n, 1).mul(magnitude));
        }
        match self.spare_at(n, m) {
            Some((_, Some(dense))) => {
                let rows = dense.forward(hidden, inputs).mul_scalar(F::one() / F::c(n as f64).sqrt());
                let spare_column = plan.shape()[2] - 1;
                w1.add(&plan.narrow(2, spare_column, 1).mul(&rows))
            }
            _ => w1,
        }
    }
}
