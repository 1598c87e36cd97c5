//! How much memory `hnet landscape` needs, estimated from its config before anything
//! is allocated. The measures run one after another, so the peak is one measure's:
//! its B = betas x starts x seeds variational MLPs trained together
//! ([`VmlpConfig::memory_for`](hypernet::vmlp::VmlpConfig::memory_for), whose
//! per-weight sigmas bound every sharing), the start networks and the trained means
//! and sigmas kept for labelling (`3 B P` f32 for P weights per network), and one
//! classification ([`analysis_memory`]) per thread labelling them in parallel.

use crate::analysis_memory::{analysis_memory, Analysis};
use crate::landscape::config::LandscapeConfig;
use hypernet::generator::memory::StepMemory;
use hypernet::vmlp::SigmaSharing;

impl LandscapeConfig {
    /// Networks trained together for one measure: betas x starts x seeds.
    pub fn networks_per_measure(&self) -> usize {
        self.log10_betas.len().saturating_mul(self.starts.len()).saturating_mul(self.seeds)
    }

    /// The estimate for one measure, labelling on `threads` threads.
    pub fn memory(&self, threads: usize) -> StepMemory {
        let b = self.networks_per_measure();
        let mut estimate = self.training(SigmaSharing::WeightSigma).memory_for(b);
        let weights = self.problem.weight_count() as f64;
        estimate.parts.push(("start, mean and sigma networks [B, P]", 4.0 * 3.0 * b as f64 * weights));
        let labelling = analysis_memory(Analysis::Classify, self.problem.inputs, self.problem.hidden).total();
        estimate.parts.push(("labelling, one classification per thread", threads as f64 * labelling));
        estimate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_counts_every_network_of_a_measure_and_each_labelling_thread() {
        let quick = LandscapeConfig::quick();
        let one = LandscapeConfig { log10_betas: vec![0.0], starts: vec![quick.starts[0]], ..quick.clone() };
        assert_eq!(quick.networks_per_measure(), 5 * 6);
        // Without labelling threads every part is linear in the networks.
        let (all, single) = (quick.memory(0).total(), one.memory(0).total());
        assert!((all / single - 30.0).abs() < 1e-9, "{all} vs {single}");
        let labelling = |threads: usize| quick.memory(threads).parts.last().unwrap().1;
        assert_eq!(labelling(4), 4.0 * labelling(1));
        assert!(LandscapeConfig { seeds: usize::MAX, ..quick }.memory(2).total().is_finite());
    }
}
