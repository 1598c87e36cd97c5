//! Counting algorithm labels over a set of networks.

use crate::classify::Label;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many networks got each label (every label present, zeros included, in the
/// fixed order of [`Label::ALL`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelCounts(pub BTreeMap<String, usize>);

impl LabelCounts {
    pub fn new(labels: impl IntoIterator<Item = Label>) -> LabelCounts {
        let mut map: BTreeMap<String, usize> = Label::ALL.iter().map(|l| (l.name().to_string(), 0)).collect();
        for l in labels {
            *map.get_mut(l.name()).expect("every label is in Label::ALL") += 1;
        }
        LabelCounts(map)
    }

    /// The counts of several sets of networks added up.
    pub fn pooled<'a>(parts: impl IntoIterator<Item = &'a LabelCounts>) -> LabelCounts {
        let mut sum = LabelCounts::new([]);
        for part in parts {
            for (name, count) in &part.0 {
                *sum.0.get_mut(name).unwrap_or_else(|| panic!("LabelCounts::pooled: unknown label {name}")) += count;
            }
        }
        sum
    }

    pub fn total(&self) -> usize {
        self.0.values().sum()
    }

    /// Fraction of networks with `label` (0 for an empty set).
    pub fn fraction(&self, label: Label) -> f64 {
        let total = self.total();
        if total == 0 {
            0.0
        } else {
            self.0[label.name()] as f64 / total as f64
        }
    }

    /// The most frequent label (ties broken by [`Label::ALL`] order).
    pub fn dominant(&self) -> Label {
        *Label::ALL.iter().max_by_key(|l| (self.0[l.name()], std::cmp::Reverse(Label::ALL.iter().position(|x| x == *l)))).expect("labels exist")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooling_adds_counts_label_by_label() {
        let a = LabelCounts::new([Label::Convexity, Label::DoubleSided]);
        let b = LabelCounts::new([Label::Convexity]);
        let sum = LabelCounts::pooled([&a, &b]);
        assert_eq!((sum.total(), sum.0["convexity"], sum.0["double-sided"]), (3, 2, 1));
        assert_eq!(sum.dominant(), Label::Convexity);
    }
}
