//! The labels the classifier gives: the paper's algorithms, and what a network is when
//! it is none of them.

use crate::reference::Algorithm;
use std::fmt;

/// The algorithm a network implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Label {
    DoubleSided,
    PositivePudding,
    NegativePudding,
    MixedPudding,
    Convexity,
    /// Axis-aligned, but some input has no neuron reading it.
    PartialCoverage,
    /// The output barely depends on the input.
    Constant,
    Other,
}

impl Label {
    pub const ALL: [Label; 8] = [
        Label::DoubleSided,
        Label::PositivePudding,
        Label::NegativePudding,
        Label::MixedPudding,
        Label::Convexity,
        Label::PartialCoverage,
        Label::Constant,
        Label::Other,
    ];

    /// Name used in reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Label::DoubleSided => "double-sided",
            Label::PositivePudding => "positive-pudding",
            Label::NegativePudding => "negative-pudding",
            Label::MixedPudding => "mixed-pudding",
            Label::Convexity => "convexity",
            Label::PartialCoverage => "partial-coverage",
            Label::Constant => "constant",
            Label::Other => "other",
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<Algorithm> for Label {
    fn from(a: Algorithm) -> Label {
        match a {
            Algorithm::DoubleSided => Label::DoubleSided,
            Algorithm::PositivePudding => Label::PositivePudding,
            Algorithm::NegativePudding => Label::NegativePudding,
            Algorithm::MixedPudding => Label::MixedPudding,
            Algorithm::Convexity => Label::Convexity,
        }
    }
}
