//! The phase diagram over training: which algorithms the generator emits at each beta
//! and each training snapshot, counted over every seed's sampled networks.

use crate::studies::label_counts::LabelCounts;
use crate::studies::sweep_record::SweepRecord;

/// Label counts on the grid (snapshot step) x (log10 beta), pooled over seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseDiagram {
    pub steps: Vec<usize>,
    pub log10_betas: Vec<f64>,
    /// `counts[s][k]`: the networks sampled at snapshot `steps[s]` and beta
    /// `log10_betas[k]`, all seeds together.
    pub counts: Vec<Vec<LabelCounts>>,
}

impl PhaseDiagram {
    /// An empty diagram on the grid.
    pub fn new(steps: Vec<usize>, log10_betas: Vec<f64>) -> PhaseDiagram {
        let counts = vec![vec![LabelCounts::new([]); log10_betas.len()]; steps.len()];
        PhaseDiagram { steps, log10_betas, counts }
    }

    /// Adds one seed's sweep at snapshot index `snapshot`. Panics if its betas are not
    /// the diagram's.
    pub fn add(&mut self, snapshot: usize, sweep: &[SweepRecord]) {
        let betas: Vec<f64> = sweep.iter().map(|r| r.log10_beta).collect();
        assert_eq!(betas, self.log10_betas, "PhaseDiagram::add: sweep betas differ from the diagram's");
        for (cell, record) in self.counts[snapshot].iter_mut().zip(sweep) {
            *cell = LabelCounts::pooled([&*cell, &record.labels]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Label;
    use crate::studies::beta_sweep::Spread;

    #[test]
    fn seeds_add_up_in_their_cell() {
        let record = |label| SweepRecord { log10_beta: -1.0, nmse: Spread::of(&[0.0]), bits: Spread::of(&[0.0]), labels: LabelCounts::new([label]), networks: vec![] };
        let mut diagram = PhaseDiagram::new(vec![10, 20], vec![-1.0]);
        diagram.add(1, &[record(Label::Convexity)]);
        diagram.add(1, &[record(Label::DoubleSided)]);
        assert_eq!(diagram.counts[1][0].total(), 2);
        assert_eq!(diagram.counts[0][0].total(), 0);
    }
}
