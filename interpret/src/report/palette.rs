//! Colours and markers shared by every figure of the report: one colour per algorithm
//! family, one marker per method (generator filled, variational MLP hollow), one
//! colour per series of a sequence (the betas of the generalisation plot).

use crate::report::svg_writer::Marker;
use crate::studies::family::Family;

/// The colour of an algorithm family.
pub fn family_colour(f: Family) -> &'static str {
    match f {
        Family::DoubleSided => "#1f77b4",
        Family::Pudding => "#ff7f0e",
        Family::Convexity => "#2ca02c",
        Family::Other => "#8c8c8c",
    }
}

/// The two methods compared in the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Generator,
    VariationalMlp,
}

impl Method {
    /// Name in data files.
    pub fn name(self) -> &'static str {
        match self {
            Method::Generator => "generator",
            Method::VariationalMlp => "variational-mlp",
        }
    }

    /// Name in figures.
    pub fn title(self) -> &'static str {
        match self {
            Method::Generator => "generator",
            Method::VariationalMlp => "variational MLP",
        }
    }

    /// Marker of a single network.
    pub fn marker(self) -> Marker {
        match self {
            Method::Generator => Marker::Dot,
            Method::VariationalMlp => Marker::HollowSquare,
        }
    }

    /// Per-beta summaries are joined by a solid (generator) or dashed line.
    pub fn dashed(self) -> bool {
        self == Method::VariationalMlp
    }
}

/// Colour `k` of a sequence of `count` (dark blue to yellow).
pub fn sequence_colour(k: usize, count: usize) -> &'static str {
    const RAMP: [&str; 6] = ["#3b0f70", "#31688e", "#21918c", "#35b779", "#90d743", "#e3b505"];
    let t = if count <= 1 { 0.0 } else { k as f64 / (count - 1) as f64 };
    RAMP[(t * (RAMP.len() - 1) as f64).round() as usize]
}
