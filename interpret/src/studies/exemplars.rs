//! Picking one network per algorithm to draw: among every sampled network with that
//! label, the one with the lowest nMSE (the first one offered wins a tie, so the pick
//! is deterministic).

use crate::classify::Label;
use crate::studies::beta_sweep::SweepPoint;
use crate::studies::family::Family;
use hypernet::TargetWeights;
use std::collections::BTreeMap;

/// A picked network and where it came from.
#[derive(Clone, Debug)]
pub struct Exemplar {
    pub label: Label,
    /// Which model emitted it, e.g. `generator seed 2`.
    pub origin: String,
    pub log10_beta: f64,
    pub nmse: f64,
    pub bits: f64,
    pub weights: TargetWeights,
}

/// The best network seen so far for each of the paper's algorithm labels.
#[derive(Clone, Debug, Default)]
pub struct Exemplars {
    /// Keyed by position in [`Label::ALL`].
    best: BTreeMap<usize, Exemplar>,
}

impl Exemplars {
    /// Considers every network of a sweep point sampled from `origin` (a model, in
    /// words).
    pub fn offer(&mut self, origin: &str, point: &SweepPoint) {
        for net in &point.networks {
            if Family::of(net.label) == Family::Other {
                continue;
            }
            let slot = Label::ALL.iter().position(|l| *l == net.label).expect("every label is in Label::ALL");
            if self.best.get(&slot).is_none_or(|b| net.nmse < b.nmse) {
                let exemplar = Exemplar { label: net.label, origin: origin.to_string(), log10_beta: point.log10_beta, nmse: net.nmse, bits: net.bits, weights: net.weights.clone() };
                self.best.insert(slot, exemplar);
            }
        }
    }

    /// The picks, in [`Label::ALL`] order.
    pub fn found(&self) -> Vec<&Exemplar> {
        self.best.values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::{Algorithm, SHARP};
    use crate::studies::beta_sweep::SweptNetwork;
    use autodiff::Key;

    #[test]
    fn the_most_accurate_network_of_each_algorithm_is_kept() {
        let net = |label, nmse| SweptNetwork { weights: Algorithm::DoubleSided.build(2, SHARP, Key::new(0)), nmse, bits: 1.0, label };
        let point = |nets| SweepPoint::of(-1.0, nets);
        let mut ex = Exemplars::default();
        ex.offer("a", &point(vec![net(Label::Convexity, 0.5), net(Label::Other, 0.0), net(Label::DoubleSided, 0.3)]));
        ex.offer("b", &point(vec![net(Label::Convexity, 0.2), net(Label::DoubleSided, 0.3)]));
        let found: Vec<(Label, &str, f64)> = ex.found().iter().map(|e| (e.label, e.origin.as_str(), e.nmse)).collect();
        assert_eq!(found, vec![(Label::DoubleSided, "a", 0.3), (Label::Convexity, "b", 0.2)]);
    }
}
