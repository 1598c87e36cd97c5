//! What the report keeps of a beta sweep: every measurement, none of the weights
//! (a paper-scale run samples hundreds of thousands of networks).

use crate::classify::Label;
use crate::studies::beta_sweep::{Spread, SweepPoint};
use crate::studies::label_counts::LabelCounts;

/// One sampled network's numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NetworkMeasure {
    pub nmse: f64,
    pub bits: f64,
    pub label: Label,
}

/// One beta of a sweep, without weights.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRecord {
    pub log10_beta: f64,
    pub nmse: Spread,
    pub bits: Spread,
    pub labels: LabelCounts,
    pub networks: Vec<NetworkMeasure>,
}

impl From<&SweepPoint> for SweepRecord {
    fn from(p: &SweepPoint) -> SweepRecord {
        SweepRecord {
            log10_beta: p.log10_beta,
            nmse: p.nmse,
            bits: p.bits,
            labels: p.labels.clone(),
            networks: p.networks.iter().map(|n| NetworkMeasure { nmse: n.nmse, bits: n.bits, label: n.label }).collect(),
        }
    }
}

/// The sweeps of several generators (seeds) at the same betas pooled into one:
/// networks concatenated in seed order, spreads and counts over all of them.
/// Panics if the sweeps' betas differ.
pub fn pool(sweeps: &[Vec<SweepRecord>]) -> Vec<SweepRecord> {
    let Some(first) = sweeps.first() else { return Vec::new() };
    (0..first.len())
        .map(|k| {
            let lb = first[k].log10_beta;
            let parts: Vec<&SweepRecord> = sweeps.iter().map(|s| &s[k]).collect();
            assert!(parts.iter().all(|p| p.log10_beta == lb), "pool: sweeps at different betas at index {k}");
            let networks: Vec<NetworkMeasure> = parts.iter().flat_map(|p| p.networks.iter().copied()).collect();
            SweepRecord {
                log10_beta: lb,
                nmse: Spread::of(&networks.iter().map(|n| n.nmse).collect::<Vec<_>>()),
                bits: Spread::of(&networks.iter().map(|n| n.bits).collect::<Vec<_>>()),
                labels: LabelCounts::pooled(parts.iter().map(|p| &p.labels)),
                networks,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(lb: f64, nets: &[(f64, Label)]) -> SweepRecord {
        let networks: Vec<NetworkMeasure> = nets.iter().map(|&(nmse, label)| NetworkMeasure { nmse, bits: 10.0 * nmse, label }).collect();
        SweepRecord {
            log10_beta: lb,
            nmse: Spread::of(&networks.iter().map(|n| n.nmse).collect::<Vec<_>>()),
            bits: Spread::of(&networks.iter().map(|n| n.bits).collect::<Vec<_>>()),
            labels: LabelCounts::new(networks.iter().map(|n| n.label)),
            networks,
        }
    }

    #[test]
    fn pooling_concatenates_networks_and_recomputes_spreads() {
        let a = vec![record(-1.0, &[(1.0, Label::Convexity)])];
        let b = vec![record(-1.0, &[(3.0, Label::DoubleSided), (5.0, Label::Convexity)])];
        let pooled = pool(&[a, b]);
        assert_eq!(pooled.len(), 1);
        assert_eq!(pooled[0].networks.len(), 3);
        assert_eq!(pooled[0].nmse.mean, 3.0);
        assert_eq!(pooled[0].labels.0["convexity"], 2);
    }
}
