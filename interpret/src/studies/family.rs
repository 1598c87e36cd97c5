//! The paper's three algorithms as families of classifier labels: double-sided,
//! pudding of any sign (positive, negative or mixed), convexity; everything else
//! (partial coverage, constant, other) is "other".

use crate::classify::Label;
use crate::studies::label_counts::LabelCounts;

/// An algorithm of the paper, or none of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    DoubleSided,
    Pudding,
    Convexity,
    Other,
}

impl Family {
    /// In the paper's order of increasing beta, then "other".
    pub const ALL: [Family; 4] = [Family::DoubleSided, Family::Pudding, Family::Convexity, Family::Other];
    /// The paper's three algorithms, in its order of increasing beta.
    pub const ALGORITHMS: [Family; 3] = [Family::DoubleSided, Family::Pudding, Family::Convexity];

    pub fn of(label: Label) -> Family {
        match label {
            Label::DoubleSided => Family::DoubleSided,
            Label::PositivePudding | Label::NegativePudding | Label::MixedPudding => Family::Pudding,
            Label::Convexity => Family::Convexity,
            Label::PartialCoverage | Label::Constant | Label::Other => Family::Other,
        }
    }

    /// Name used in reports and in `summary.json`.
    pub fn name(self) -> &'static str {
        match self {
            Family::DoubleSided => "double-sided",
            Family::Pudding => "pudding",
            Family::Convexity => "convexity",
            Family::Other => "other",
        }
    }

    /// Fraction of the counted networks in this family.
    pub fn fraction(self, counts: &LabelCounts) -> f64 {
        Label::ALL.iter().filter(|l| Family::of(**l) == self).map(|l| counts.fraction(*l)).sum()
    }

    /// The family holding the most networks (ties broken by [`Family::ALL`] order).
    pub fn dominant(counts: &LabelCounts) -> Family {
        let mut best = Family::ALL[0];
        for f in Family::ALL {
            if f.fraction(counts) > best.fraction(counts) {
                best = f;
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use approx::abs_diff_eq;
    use super::*;

    #[test]
    fn every_pudding_sign_is_a_pudding_and_fractions_add_up() {
        let counts = LabelCounts::new([Label::PositivePudding, Label::NegativePudding, Label::MixedPudding, Label::Convexity, Label::Constant]);
        assert!(abs_diff_eq!(Family::Pudding.fraction(&counts), 0.6, epsilon = 1e-12));
        assert_eq!(Family::dominant(&counts), Family::Pudding);
        let total: f64 = Family::ALL.iter().map(|f| f.fraction(&counts)).sum();
        assert!(abs_diff_eq!(total, 1.0, epsilon = 1e-12));
    }
}
